import { z } from 'zod';
import type { BinaryFileSource } from '../../core/connectors/biFiles';
import { ConnectorError } from '../../core/connectors/connector';
import { isBiFile } from '../../core/connectors/repoFiles';
import { readTar } from '../org-extract/tar';
import { downloadTarball, githubInput, resolveCommit } from './githubSource';

/**
 * The `files` port of an org run of a BI file connector (Tableau, Looker, Power BI): the cloud has
 * no workspace folder, so the connector's config names a GitHub repository (`repository`, `branch`,
 * `apiUrl`; the `token` secret), and its archive at the branch's commit is read the way org
 * extraction reads a GitHub connector's (`githubSource.ts`, `tar.ts`). Only the BI connectors'
 * file types are kept, as text and bytes (`.twbx`, `.tdsx` and `.pbit` are zip containers); the
 * connector then selects its folder and globs from them exactly as it does in a workspace.
 */

/** Connector types whose files come from a repository in the cloud. */
export const REPOSITORY_FILE_TYPES: ReadonlySet<string> = new Set(['tableau', 'looker', 'powerbi']);

const Source = z.looseObject({ repository: z.string().optional(), branch: z.string().optional(), apiUrl: z.string().optional() });
const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const Secrets = z.looseObject({ token: z.string().optional() });

/** Text as Node's `readFileSync(path, 'utf8')` gives it (a byte-order mark kept), so org and workspace runs read the same text. */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Why `config` of an organization's BI connector names no repository to read (saving refuses it, a run fails with it), or undefined. */
export function repositoryProblem(label: string, config: unknown): string | undefined {
  const c = Source.safeParse(config);
  const repository = c.success ? c.data.repository : undefined;
  if (repository === undefined || repository.trim() === '') return `An organization's ${label} connector reads its files from a GitHub repository: set its repository (owner/name).`;
  return REPOSITORY.test(repository.trim()) ? undefined : `The ${label} connector's repository "${repository.trim().slice(0, 200)}" is not owner/name.`;
}

/** The BI files of the repository `config` names, as bytes by path, with the commit they were read at. */
export async function repositoryBytes(label: string, config: unknown, secrets: unknown): Promise<{ bytes: Map<string, Uint8Array>; sha: string; repository: string }> {
  const problem = repositoryProblem(label, config);
  const c = Source.safeParse(config);
  const repository = c.success ? c.data.repository : undefined;
  if (problem !== undefined || !c.success || repository === undefined) throw new ConnectorError('bad-config', problem ?? `The ${label} connector's repository settings are invalid.`);
  const s = Secrets.safeParse(secrets ?? {});
  const source = githubInput({ repository: repository.trim(), ...(c.data.branch ? { branch: c.data.branch } : {}), ...(c.data.apiUrl ? { apiUrl: c.data.apiUrl } : {}) }, s.success ? s.data : {});
  const { sha } = await resolveCommit(source.config, source.token);
  const bytes = new Map<string, Uint8Array>();
  for (const entry of readTar(await downloadTarball(source.config, source.token, sha))) if (isBiFile(entry.path)) bytes.set(entry.path, entry.bytes);
  return { bytes, sha, repository: source.config.repository };
}

/** A connector's `files` port over BI files' bytes (text decoded as Node reads a file). */
export function bytesSource(bytes: ReadonlyMap<string, Uint8Array>): BinaryFileSource {
  const paths = [...bytes.keys()].sort();
  return {
    list: () => paths,
    read: (path) => {
      const b = bytes.get(path);
      return b === undefined ? undefined : utf8.decode(b);
    },
    readBytes: (path) => bytes.get(path),
  };
}

/** The BI files of the repository `config` names, with the commit they were read at. */
export async function repositoryFiles(label: string, config: unknown, secrets: unknown): Promise<{ files: BinaryFileSource; sha: string; repository: string }> {
  const { bytes, sha, repository } = await repositoryBytes(label, config, secrets);
  return { files: bytesSource(bytes), sha, repository };
}
