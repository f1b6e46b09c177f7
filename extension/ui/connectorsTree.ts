import * as vscode from 'vscode';
import type { ConnectorSummary } from '../../core/connectors/orgProtocol';
import { connectorDefinition } from '../../core/connectors/registry';
import type { ConnectorScope } from '../connectors/connectorFlow';
import type { RunStatus, WorkspaceConnectors } from '../connectors/workspaceConnectors';

/**
 * The Connectors view: the workspace's connectors and, when signed in to sync, the organization's,
 * each with its type's icon, its scope, and its last run (when, how it ended); a failed run's error
 * is a child row and the tooltip. Inline actions run and edit; the context menu disables, enables
 * and deletes (`contextValue` says which apply). Empty, the view shows its welcome content.
 */

/** A connector row, whichever its scope. */
export interface ConnectorRow {
  type: 'connector';
  scope: ConnectorScope;
  id: string;
  name: string;
  connectorType: string;
  disabled: boolean;
  run?: RunStatus;
}

export type ConnectorNode = ConnectorRow | { type: 'message'; id: string; text: string; error: boolean };

const TYPE_ICONS: Record<string, string> = { github: 'github', postgres: 'database', snowflake: 'database', bigquery: 'database', tableau: 'graph', looker: 'eye', powerbi: 'graph-line' };

/** An org connector as a row: `paused` is disabled, its last run's first error is the message. */
export function orgRow(c: ConnectorSummary): ConnectorRow {
  const last = c.lastRun;
  const status: RunStatus['status'] | undefined = last === null ? undefined : last.status === 'queued' || last.status === 'running' ? 'running' : last.status;
  return {
    type: 'connector',
    scope: 'org',
    id: c.id,
    name: c.name,
    connectorType: c.type,
    disabled: c.status === 'paused',
    ...(last !== null && status !== undefined
      ? {
          run: {
            status,
            startedAt: last.startedAt ?? last.queuedAt,
            ...(last.finishedAt !== null ? { finishedAt: last.finishedAt } : {}),
            ...(last.errors[0] ? { message: last.errors[0].message } : status === 'succeeded' ? { message: `${last.counts.entities} entities, ${last.counts.columns} columns` } : {}),
          },
        }
      : {}),
  };
}

/** "succeeded 3 min ago", "running since 12:04", "never run". */
export function statusText(run: RunStatus | undefined, now: Date = new Date()): string {
  if (!run) return 'never run';
  if (run.status === 'running') return `running since ${new Date(run.startedAt).toLocaleTimeString()}`;
  return `${run.status} ${ago(new Date(run.finishedAt ?? run.startedAt), now)}`;
}

function ago(then: Date, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - then.getTime()) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return then.toLocaleDateString();
}

export class ConnectorsTree implements vscode.TreeDataProvider<ConnectorNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ConnectorNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private orgRows: ConnectorRow[] = [];
  private orgProblem: string | undefined;
  private readonly subscription: { dispose(): void };

  constructor(private readonly workspace: WorkspaceConnectors) {
    this.subscription = workspace.onDidChange(() => this.refresh());
  }

  /** The organization's connectors as last listed (or why they could not be). */
  setOrg(rows: ConnectorRow[], problem?: string): void {
    this.orgRows = rows;
    this.orgProblem = problem;
    this.refresh();
  }

  refresh(): void {
    this.emitter.fire(undefined);
  }

  /** Every connector row, workspace first. */
  rows(): ConnectorRow[] {
    const local = this.workspace.list().map((c): ConnectorRow => ({ type: 'connector', scope: 'workspace', id: c.id, name: c.name, connectorType: c.type, disabled: c.disabled, ...(c.lastRun ? { run: c.lastRun } : {}) }));
    return [...local, ...this.orgRows];
  }

  getChildren(node?: ConnectorNode): ConnectorNode[] {
    if (!node) {
      const rows = this.rows();
      // No rows at all: the welcome content (with "Add Connector") shows instead.
      if (rows.length === 0) return [];
      return [...rows, ...(this.orgProblem ? [{ type: 'message' as const, id: 'org-problem', text: this.orgProblem, error: true }] : [])];
    }
    if (node.type === 'connector' && node.run?.status === 'failed' && node.run.message) return [{ type: 'message', id: `${node.id}:error`, text: node.run.message, error: true }];
    return [];
  }

  getTreeItem(node: ConnectorNode): vscode.TreeItem {
    if (node.type === 'message') {
      const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
      item.id = node.id;
      item.tooltip = node.text;
      item.iconPath = new vscode.ThemeIcon(node.error ? 'error' : 'info', node.error ? new vscode.ThemeColor('errorForeground') : undefined);
      return item;
    }
    const failed = node.run?.status === 'failed' && node.run.message !== undefined;
    const item = new vscode.TreeItem(node.name, failed ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = `${node.scope}:${node.id}`;
    const label = connectorDefinition(node.connectorType)?.label ?? node.connectorType;
    const scope = node.scope === 'org' ? 'organization' : 'workspace';
    item.description = `${scope} · ${node.disabled ? 'disabled' : statusText(node.run)}`;
    item.iconPath =
      node.run?.status === 'running' ? new vscode.ThemeIcon('sync~spin') : new vscode.ThemeIcon(TYPE_ICONS[node.connectorType] ?? 'plug', node.run?.status === 'failed' ? new vscode.ThemeColor('errorForeground') : undefined);
    const tooltip = new vscode.MarkdownString(`**${node.name}** — ${label}, ${scope}\n\nLast run: ${statusText(node.run)}${node.run?.message ? `\n\n${node.run.message}` : ''}`);
    tooltip.supportHtml = false;
    item.tooltip = tooltip;
    item.contextValue = `mallardConnector.${node.scope}.${node.disabled ? 'disabled' : 'enabled'}${node.run?.status === 'running' ? '.running' : ''}`;
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
