import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { SyncStatus } from '../../sync/status';
import type { LocalRejection } from '../../sync/ports';
import { SyncEngine } from '../../sync/syncEngine';
import { CatalogStore } from '../catalog/catalogStore';
import { authClient, cliCredentials, credentialsFile, loadStored, removeStored, saveStored, storedSession } from '../sync/cliCredentials';
import type { StoredCredentials } from '../sync/cliCredentials';
import { nodeClock } from '../sync/nodeClock';
import { createSupabaseTransport } from '../sync/supabaseTransport';
import type { Invocation } from './cliArgs';
import { UsageError } from './cliArgs';
import { table } from './cliFormat';
import { catalogFileOf } from './catalogLocation';
import { CliError } from './cliErrors';
import type { CliIo, CommandResult } from './cliIo';

/**
 * `mallard login`, `logout`, `sync` and `sync status`: team sync without VS Code, on `sync/`, the
 * SQLite adapter and the CLI's credentials (`extension/sync/cliCredentials.ts`).
 *
 * Exit codes of `sync`: 0 synced; 1 the server or the catalog refused (reason printed); 3 the server
 * could not be reached or answered with a retryable error (try again later); 4 not signed in (no
 * credentials, unusable credentials, or a token the server refuses).
 */

/** Exit code when the server is unreachable or busy. */
export const EXIT_OFFLINE = 3;
/** Exit code when no credentials are available. */
export const EXIT_SIGNED_OUT = 4;

/** Reads one line from the user (the one-time code); undefined when there is no terminal to ask. */
export type AskLine = (prompt: string) => Promise<string | undefined>;

/** `login`: e-mail one-time code (asked for, or `--code`), or `--token mlpat_…` for CI. */
export async function loginCommand(inv: Invocation, io: CliIo, ask: AskLine, env: NodeJS.ProcessEnv = process.env): Promise<CommandResult> {
  const previous = safeLoad(env);
  const url = inv.url ?? env.MALLARD_SUPABASE_URL ?? previous?.url;
  const apiKey = inv.key ?? env.MALLARD_SUPABASE_KEY ?? previous?.apiKey;
  if (url === undefined || apiKey === undefined) throw new UsageError('login needs the project: --url https://<ref>.supabase.co --key <publishable key> (saved for next time)');
  const orgId = inv.org ?? previous?.orgId;
  const base: StoredCredentials = { url, apiKey, ...(orgId !== undefined ? { orgId } : {}) };
  if (inv.token !== undefined) {
    if (!/^mlpat_[0-9a-f]{48}$/.test(inv.token)) throw new UsageError('--token expects an API token (mlpat_ followed by 48 hex digits)');
    const file = saveStored({ ...base, token: inv.token }, env);
    return { text: `Saved the API token for ${url} in ${file} (readable by you only).`, exitCode: 0 };
  }
  if (inv.email === undefined) throw new UsageError('login needs --email ADDRESS (a one-time code is sent to it) or --token mlpat_… (CI)');
  const auth = authClient(url, apiKey).auth;
  let code = inv.code;
  if (code === undefined) {
    const sent = await auth.signInWithOtp({ email: inv.email, options: { shouldCreateUser: false } });
    if (sent.error !== null) throw new CliError(`could not send a sign-in code to ${inv.email}: ${sent.error.message}`);
    code = (await ask(`A sign-in code was sent to ${inv.email}. Code: `))?.trim();
    if (code === undefined || code === '') {
      return { text: `A sign-in code was sent to ${inv.email}; finish with: mallard login --email ${inv.email} --code CODE`, exitCode: 0 };
    }
  }
  const verified = await auth.verifyOtp({ email: inv.email, token: code, type: 'email' });
  if (verified.error !== null || verified.data.session === null) throw new CliError(`the code was not accepted: ${verified.error?.message ?? 'no session'}`);
  const file = saveStored({ ...base, session: storedSession(verified.data.session) }, env);
  return { text: `Signed in as ${verified.data.session.user?.email ?? inv.email}; session saved in ${file} (readable by you only).`, exitCode: 0 };
}

/** `logout`: deletes the saved credentials. */
export function logoutCommand(_inv: Invocation, _io: CliIo, env: NodeJS.ProcessEnv = process.env): CommandResult {
  const file = credentialsFile(env);
  return { text: removeStored(env) ? `Signed out; removed ${file}.` : 'Not signed in.', exitCode: 0 };
}

/** `sync [--org ID] [--once]` (push, then pull until caught up; without `--once` it keeps syncing until Ctrl-C) and `sync status`. */
export async function syncCommand(inv: Invocation, io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<CommandResult> {
  const [sub] = inv.positionals;
  if (sub !== undefined && sub !== 'status') throw new UsageError(`unknown sync command "${sub}" (usage: mallard sync [status] [--org ID] [--once])`);
  const file = catalogFileOf(inv, io.cwd);
  if (sub === 'status') return statusCommand(inv, file);
  mkdirSync(path.dirname(file), { recursive: true });
  const store = CatalogStore.open(file);
  try {
    const sync = store.syncStore();
    const orgId = inv.org ?? sync.state().orgId ?? safeLoad(env)?.orgId;
    if (orgId === undefined) throw new UsageError('which organization? pass --org ID (it is remembered by the catalog)');
    const engine = new SyncEngine({ orgId, store: sync, transport: createSupabaseTransport(), credentials: cliCredentials(env), clock: nodeClock });
    const status = await runEngine(engine, inv, io);
    if (status.lastSyncedAt !== undefined) store.setMeta('sync.lastSyncedAt', status.lastSyncedAt);
    const rejections = engine.rejections();
    return { text: inv.json ? JSON.stringify({ status, conflicts: engine.conflicts(), rejections }, null, 2) : statusText(status, rejections), exitCode: exitCodeOf(status) };
  } finally {
    store.close();
  }
}

/** One cycle (`--once`), or cycles until Ctrl-C, printing each state change to stderr. */
async function runEngine(engine: SyncEngine, inv: Invocation, io: CliIo): Promise<SyncStatus> {
  if (inv.once) return engine.syncNow();
  let last = '';
  const off = engine.onStatus((s) => {
    const line = `${s.state}${s.reason ? ` (${s.reason.code})` : ''}, ${s.pendingOps} pending`;
    if (line !== last && !inv.quiet) io.err(`mallard sync: ${line}\n`);
    last = line;
  });
  engine.start();
  await new Promise<void>((resolve) => {
    if (io.signal === undefined || io.signal.aborted) return resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  off();
  await engine.stop();
  return engine.status;
}

/** `sync status`: what the catalog knows, without calling the server. */
function statusCommand(inv: Invocation, file: string): CommandResult {
  if (!existsSync(file)) throw new CliError(`no catalog at ${file}; run "mallard scan <dir>" first or pass --db FILE`);
  const store = CatalogStore.open(file);
  try {
    const sync = store.syncStore();
    const state = sync.state();
    const counts = sync.counts();
    const lastSyncedAt = store.getMeta('sync.lastSyncedAt');
    const value = { orgId: state.orgId ?? null, replicaId: state.replicaId, cursor: state.cursor, scopes: state.scopes, ...counts, lastSyncedAt: lastSyncedAt ?? null, conflicts: sync.conflicts(), rejections: sync.rejections() };
    if (inv.json) return { text: JSON.stringify(value, null, 2), exitCode: 0 };
    const rows: string[][] = [
      ['organization', state.orgId ?? '(not synced yet)'],
      ['replica', state.replicaId],
      ['last synced', lastSyncedAt ?? 'never'],
      ['pending edits', String(counts.pending)],
      ['awaiting confirmation', String(counts.unconfirmed)],
      ['open conflicts', String(counts.conflicts)],
      ['rejected edits', String(counts.rejections)],
    ];
    return { text: [table(['', ''], rows), ...conflictLines(value.conflicts), ...rejectionLines(value.rejections)].join('\n'), exitCode: 0 };
  } finally {
    store.close();
  }
}

function statusText(status: SyncStatus, rejections: LocalRejection[]): string {
  const head =
    status.state === 'idle'
      ? `Synced ${status.orgId}: pushed ${status.lastCycle?.pushedOps ?? 0} edits, pulled ${status.lastCycle?.pulledRows ?? 0} rows.`
      : `Sync ${status.state}: ${status.reason?.message ?? 'unknown reason'} (${status.reason?.code ?? status.state})${status.reason?.retryable ? '; try again later' : ''}.`;
  const counts = `${status.pendingOps} pending, ${status.unconfirmedOps} awaiting confirmation, ${status.conflicts} open conflicts, ${status.rejections} rejected.`;
  return [head, counts, ...rejectionLines(rejections)].join('\n');
}

function conflictLines(conflicts: { target: { kind: string; id: string }; field: string; serverValue: unknown; incomingValue: unknown }[]): string[] {
  return conflicts.map((c) => `conflict: ${c.target.kind} ${c.target.id} ${c.field}: kept ${JSON.stringify(c.serverValue)}, not ${JSON.stringify(c.incomingValue)}`);
}

function rejectionLines(rejections: LocalRejection[]): string[] {
  return rejections.map((r) => `rejected: ${r.target.kind} ${r.target.id} (op ${r.op.opNumber}, ${r.code}): ${r.message}`);
}

function exitCodeOf(status: SyncStatus): number {
  if (status.state === 'idle') return 0;
  if (status.reason?.code === 'signed-out' || status.reason?.code === 'credentials' || status.reason?.code === 'unauthorized') return EXIT_SIGNED_OUT;
  if (status.state === 'offline' || status.reason?.retryable === true) return EXIT_OFFLINE;
  return 1;
}

function safeLoad(env: NodeJS.ProcessEnv): StoredCredentials | undefined {
  try {
    return loadStored(env);
  } catch {
    return undefined;
  }
}
