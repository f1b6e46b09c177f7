import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ComplianceRule, Severity } from '../../core/governance/compliance';
import { complianceConfig } from '../../core/governance/complianceConfig';
import type { PropagatedClass } from '../../core/governance/propagate';
import type { StoredSuggestion } from '../governance/classificationStore';
import type { LocatedViolation } from '../governance/complianceLocal';
import { complianceProblems, pathText, ruleGroups, type RuleGroup, type ViolationRow } from '../governance/complianceViewModel';
import type { CatalogRegistry } from './catalogRegistry';
import { CatalogJobWorker } from './catalogJobs';
import type { GovernanceRequest, GovernanceResult } from './governanceWorker';
import type { Logger } from './logger';
import type { WorkspaceCatalog } from './workspaceCatalog';

/**
 * Governance in the editor (issue 16): after every catalog change (debounced) the classification
 * rules refresh the stored suggestions and the compliance rules (with the folder's `.mallard.json`
 * `compliance` settings) are evaluated, in a worker thread (`governanceWorker.ts`: seconds at 5,000
 * models); violations go to the Problems panel as
 * `mallard(compliance-<rule>)` at the column's or model's definition and to the Compliance view,
 * grouped by rule; suggestions and lineage-derived classes go to the Classification view. The
 * logic lives in `extension/governance/`; this file only maps it to VS Code.
 */

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = { error: vscode.DiagnosticSeverity.Error, warning: vscode.DiagnosticSeverity.Warning, info: vscode.DiagnosticSeverity.Information };
const ICON: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'info' };

/** A violation row with the catalog it belongs to (commands act on it). */
export interface ViolationNode extends ViolationRow {
  kind: 'violation';
  catalog: WorkspaceCatalog;
}
type ComplianceNode = (RuleGroup & { kind: 'rule'; nodes: ViolationNode[] }) | ViolationNode;

/** A suggestion or derived class with its catalog. */
export type ClassificationNode =
  | { kind: 'section'; label: string; children: ClassificationNode[] }
  | { kind: 'suggestion'; suggestion: StoredSuggestion; catalog: WorkspaceCatalog }
  | { kind: 'derived'; derived: PropagatedClass; catalog: WorkspaceCatalog };

/** The folder's `.mallard.json` `compliance` section applied to the built-in rules. */
export function folderRules(root: string, logger: Logger): ComplianceRule[] {
  let section: unknown;
  try {
    section = (JSON.parse(readFileSync(path.join(root, '.mallard.json'), 'utf8')) as { compliance?: unknown }).compliance;
  } catch {
    // No file, or one the scanner already reports: the built-in rules apply.
  }
  const config = complianceConfig(section);
  for (const p of config.problems) logger.warn(`.mallard.json: ${p}`);
  return config.rules;
}

const short = (id: string): string => pathText([id]);

/** Evaluates, publishes and shows governance state for every catalog. */
export class GovernanceViews implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('mallard-compliance');
  private readonly complianceEmitter = new vscode.EventEmitter<undefined>();
  private readonly classificationEmitter = new vscode.EventEmitter<undefined>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly worker = new CatalogJobWorker<GovernanceRequest, GovernanceResult>('governanceWorker');
  /** The evaluation in flight, and whether another was asked for meanwhile. */
  private running: Promise<void> | undefined;
  private again = false;
  private compliance: ComplianceNode[] = [];
  private classification: ClassificationNode[] = [];
  /** Open violations per catalog root (the commands and the tests read them). */
  readonly violations = new Map<string, LocatedViolation[]>();

  readonly complianceTree: vscode.TreeDataProvider<ComplianceNode> = {
    onDidChangeTreeData: this.complianceEmitter.event,
    getChildren: (n) => (n === undefined ? this.compliance : n.kind === 'rule' ? n.nodes : []),
    getTreeItem: (n) => {
      if (n.kind === 'rule') {
        const item = new vscode.TreeItem(n.title, vscode.TreeItemCollapsibleState.Expanded);
        item.description = n.description;
        item.iconPath = new vscode.ThemeIcon(ICON[n.severity]);
        item.contextValue = 'mallardComplianceRule';
        item.tooltip = `${n.ruleId} (${n.severity})`;
        return item;
      }
      const item = new vscode.TreeItem(n.label, vscode.TreeItemCollapsibleState.None);
      item.description = n.description;
      item.tooltip = n.tooltip;
      item.contextValue = 'mallardViolation';
      const loc = n.violation.location;
      if (loc !== undefined) {
        item.command = { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(path.join(n.catalog.root, loc.file)), { selection: new vscode.Range(loc.line - 1, loc.column - 1, loc.line - 1, loc.column - 1) }] };
      }
      return item;
    },
  };

  readonly classificationTree: vscode.TreeDataProvider<ClassificationNode> = {
    onDidChangeTreeData: this.classificationEmitter.event,
    getChildren: (n) => (n === undefined ? this.classification : n.kind === 'section' ? n.children : []),
    getTreeItem: (n) => {
      if (n.kind === 'section') {
        const item = new vscode.TreeItem(n.label, n.children.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
        item.description = String(n.children.length);
        return item;
      }
      if (n.kind === 'suggestion') {
        const s = n.suggestion;
        const item = new vscode.TreeItem(`${short(s.columnId)}: ${s.key}`, vscode.TreeItemCollapsibleState.None);
        item.description = `${Math.round(s.confidence * 100)}% · ${s.source}`;
        item.tooltip = `${s.reason}\nAccept sets the column's classification (it syncs); Reject is remembered.`;
        item.contextValue = 'mallardSuggestion';
        item.iconPath = new vscode.ThemeIcon(s.source === 'ai' ? 'sparkle' : 'shield');
        return item;
      }
      const d = n.derived;
      const item = new vscode.TreeItem(`${short(d.columnId)}: ${d.key}`, vscode.TreeItemCollapsibleState.None);
      item.description = `via ${pathText(d.path)}`;
      item.tooltip = `Derived through column lineage (confidence ${Math.round(d.confidence * 100)}%): ${pathText(d.path)}`;
      item.contextValue = 'mallardDerivedClass';
      item.iconPath = new vscode.ThemeIcon('type-hierarchy-sub');
      return item;
    },
  };

  constructor(
    private readonly catalogs: CatalogRegistry,
    private readonly logger: Logger,
  ) {}

  /** Schedules a re-evaluation (a scan writes many changes in a burst). */
  catalogChanged(delayMs = 400): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refreshNow();
    }, delayMs);
  }

  /**
   * Re-evaluates every catalog in the worker and republishes; resolves when the views show the
   * result. A request while one runs is coalesced into one more run after it.
   */
  refreshNow(): Promise<void> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.evaluateAll();
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async evaluateAll(): Promise<void> {
    const compliance: ComplianceNode[] = [];
    const suggestions: ClassificationNode[] = [];
    const derived: ClassificationNode[] = [];
    const problems = new Map<string, vscode.Diagnostic[]>();
    const violations = new Map<string, LocatedViolation[]>();
    for (const { catalog } of this.catalogs.list()) {
      const rules = folderRules(catalog.root, this.logger);
      const reply = await this.worker.run({ file: catalog.store.file, rules });
      if (!reply.ok) {
        this.logger.error(`Governance of ${catalog.root}: ${reply.error}`);
        continue;
      }
      const found = reply.value.violations;
      violations.set(catalog.root, found);
      for (const g of ruleGroups(found, rules)) compliance.push({ ...g, kind: 'rule', nodes: g.items.map((i) => ({ ...i, kind: 'violation', catalog })) });
      for (const p of complianceProblems(found)) {
        const d = new vscode.Diagnostic(new vscode.Range(p.line - 1, p.column - 1, p.line - 1, p.column + 200), p.message, SEVERITY[p.severity]);
        d.source = 'mallard';
        d.code = p.code;
        const file = path.join(catalog.root, p.file);
        problems.set(file, [...(problems.get(file) ?? []), d]);
      }
      for (const s of reply.value.suggestions) suggestions.push({ kind: 'suggestion', suggestion: s, catalog });
      for (const d of reply.value.derived) derived.push({ kind: 'derived', derived: d, catalog });
    }
    // Published all at once, so the views never show half an evaluation.
    this.collection.clear();
    for (const [file, list] of problems) this.collection.set(vscode.Uri.file(file), list);
    this.violations.clear();
    for (const [root, list] of violations) this.violations.set(root, list);
    this.compliance = compliance;
    this.classification = [
      { kind: 'section', label: 'Suggestions', children: suggestions },
      { kind: 'section', label: 'Derived through lineage', children: derived },
    ];
    void vscode.commands.executeCommand('setContext', 'mallard.complianceCount', compliance.reduce((n, g) => n + (g.kind === 'rule' ? g.nodes.length : 0), 0));
    this.complianceEmitter.fire(undefined);
    this.classificationEmitter.fire(undefined);
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.worker.dispose();
    this.collection.dispose();
    this.complianceEmitter.dispose();
    this.classificationEmitter.dispose();
  }
}
