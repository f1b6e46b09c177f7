import { randomUUID } from 'node:crypto';
import type { ConnectorDefinition } from '../../core/connectors/connector';
import type { JsonValue } from '../../core/sync/ops';
import type { FlowResult } from './connectorFlow';

/**
 * The connectors of this workspace (personal catalog). Their settings live in the workspace's
 * key/value state (VS Code's `workspaceState`); their secrets live ONLY in SecretStorage, one JSON
 * entry per connector. The record never holds a secret: every save removes the definition's secret
 * keys from the config, whatever the caller passed.
 */

/** The part of `vscode.Memento` this store uses. */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

/** The part of `vscode.SecretStorage` this store uses. */
export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

/** Status of a connector's last (or current) run. */
export interface RunStatus {
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  /** ISO timestamps. */
  startedAt: string;
  finishedAt?: string;
  /** The error, or a one-line summary of what was extracted. */
  message?: string;
}

/** A workspace connector as stored (no secrets). */
export interface WorkspaceConnector {
  id: string;
  type: string;
  name: string;
  config: Record<string, unknown>;
  disabled: boolean;
  /** Workspace folder whose catalog receives the facts. */
  folder?: string;
  lastRun?: RunStatus;
  /** `ExtractResult.state` of the last successful run (incremental runs). */
  state?: JsonValue;
}

const KEY = 'mallard.connectors';
const secretKey = (id: string): string => `mallard.connector.${id}`;

export class WorkspaceConnectors {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly state: KeyValueStore,
    private readonly secrets: SecretStore,
  ) {}

  list(): WorkspaceConnector[] {
    return this.state.get<WorkspaceConnector[]>(KEY) ?? [];
  }

  get(id: string): WorkspaceConnector | undefined {
    return this.list().find((c) => c.id === id);
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** The stored secrets of a connector (an empty object when none). */
  async secretsOf(id: string): Promise<Record<string, unknown>> {
    const raw = await this.secrets.get(secretKey(id));
    return raw === undefined ? {} : (JSON.parse(raw) as Record<string, unknown>);
  }

  /** Saves a new connector from a finished flow; its id. */
  async add(def: ConnectorDefinition, result: FlowResult, folder?: string): Promise<string> {
    const id = randomUUID();
    await this.secrets.store(secretKey(id), JSON.stringify(result.secrets));
    await this.write([...this.list(), { id, type: result.type, name: result.name, config: withoutSecrets(def, result.config), disabled: false, ...(folder !== undefined ? { folder } : {}) }]);
    return id;
  }

  /** Saves an edit: new config and name; secrets typed replace the stored ones, blank ones are kept. */
  async update(def: ConnectorDefinition, id: string, result: FlowResult): Promise<void> {
    const kept = await this.secretsOf(id);
    const secrets: Record<string, unknown> = {};
    for (const key of result.keptSecrets) if (key in kept) secrets[key] = kept[key];
    Object.assign(secrets, result.secrets);
    await this.secrets.store(secretKey(id), JSON.stringify(secrets));
    // New settings may point at another source: the incremental state starts over.
    await this.patch(id, (c) => {
      const { state: _dropped, ...rest } = c;
      return { ...rest, name: result.name, config: withoutSecrets(def, result.config) };
    });
  }

  async setDisabled(id: string, disabled: boolean): Promise<void> {
    await this.patch(id, (c) => ({ ...c, disabled }));
  }

  async setRun(id: string, lastRun: RunStatus, state?: JsonValue): Promise<void> {
    await this.patch(id, (c) => ({ ...c, lastRun, ...(state !== undefined ? { state } : {}) }));
  }

  async remove(id: string): Promise<void> {
    await this.secrets.delete(secretKey(id));
    await this.write(this.list().filter((c) => c.id !== id));
  }

  private async patch(id: string, change: (c: WorkspaceConnector) => WorkspaceConnector): Promise<void> {
    await this.write(this.list().map((c) => (c.id === id ? change(c) : c)));
  }

  private async write(list: WorkspaceConnector[]): Promise<void> {
    await this.state.update(KEY, list);
    for (const listener of this.listeners) listener();
  }
}

/** The config without any key the definition marks secret (a secret must never reach the workspace state). */
export function withoutSecrets(def: ConnectorDefinition, config: Record<string, unknown>): Record<string, unknown> {
  const secret = new Set(def.fields.filter((f) => f.secret).map((f) => f.key));
  return Object.fromEntries(Object.entries(config).filter(([key]) => !secret.has(key)));
}
