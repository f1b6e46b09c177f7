import * as vscode from 'vscode';
import { qualityBadge, qualityHints, qualityTone, qualityTooltip, type ProjectSummary, type ScoredEntity } from '../../core/governance/qualityView';
import type { CatalogRegistry } from './catalogRegistry';
import type { QualityService } from './qualityService';

/**
 * The "Docs Quality" view: per project, its score, the coverage of descriptions, tests and owners,
 * and the models with the lowest scores, each opening its docs. Scores come from the quality
 * worker; until the first ones arrive the view says they are being computed.
 */

type QualityNode =
  | { type: 'project'; root: string; folder?: string; summary: ProjectSummary }
  | { type: 'coverage'; root: string; label: string; description: string; percent: number }
  | { type: 'worst'; root: string; project: string; models: ScoredEntity[] }
  | { type: 'model'; root: string; model: ScoredEntity }
  | { type: 'message'; text: string };

const TONE_ICON = { good: 'pass', fair: 'warning', poor: 'error' } as const;
const TONE_COLOR = { good: 'testing.iconPassed', fair: 'list.warningForeground', poor: 'list.errorForeground' } as const;

export class QualityTreeProvider implements vscode.TreeDataProvider<QualityNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<QualityNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(
    private readonly catalogs: CatalogRegistry,
    private readonly quality: QualityService,
  ) {}

  refresh(): void {
    this.emitter.fire(undefined);
  }

  getChildren(node?: QualityNode): QualityNode[] {
    if (!node) {
      const out: QualityNode[] = [];
      let computing = false;
      const multi = this.catalogs.size > 1;
      for (const { name, catalog } of this.catalogs.list()) {
        const index = this.quality.index(catalog.root, catalog.store.file);
        if (!index) computing = true;
        for (const summary of index?.projects ?? []) out.push({ type: 'project', root: catalog.root, ...(multi ? { folder: name } : {}), summary });
      }
      if (out.length === 0) return [{ type: 'message', text: computing ? 'Computing docs quality scores…' : 'No dbt models in the catalog yet.' }];
      return out;
    }
    if (node.type === 'project') {
      const s = node.summary;
      return [
        ...s.coverage.map((c): QualityNode => ({ type: 'coverage', root: node.root, label: c.label, description: `${c.done}/${c.total} (${c.percent}%)`, percent: c.percent })),
        ...(s.worst.length > 0 ? [{ type: 'worst', root: node.root, project: s.project, models: s.worst } as const] : []),
      ];
    }
    if (node.type === 'worst') return node.models.map((model) => ({ type: 'model', root: node.root, model }));
    return [];
  }

  getTreeItem(node: QualityNode): vscode.TreeItem {
    switch (node.type) {
      case 'message':
        return new vscode.TreeItem(node.text);
      case 'project': {
        const s = node.summary;
        const item = new vscode.TreeItem(node.folder ? `${s.project} (${node.folder})` : s.project, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `quality:${node.root}:${s.project}`;
        item.description = `${qualityBadge(s.score)} · ${s.models} model${s.models === 1 ? '' : 's'}`;
        item.tooltip = `Docs quality of ${s.project}: ${qualityBadge(s.score)}, the mean of its models' scores (descriptions, column descriptions, tests, owner, docs no older than the SQL).`;
        item.iconPath = this.toneIcon(s.score);
        item.contextValue = 'mallard.qualityProject';
        return item;
      }
      case 'coverage': {
        const item = new vscode.TreeItem(node.label);
        item.description = node.description;
        item.iconPath = this.toneIcon(node.percent);
        return item;
      }
      case 'worst': {
        const item = new vscode.TreeItem('Lowest scores', vscode.TreeItemCollapsibleState.Expanded);
        item.id = `quality:${node.root}:${node.project}:worst`;
        item.description = `${node.models.length}`;
        item.iconPath = new vscode.ThemeIcon('list-ordered');
        return item;
      }
      case 'model': {
        const m = node.model;
        const item = new vscode.TreeItem(m.name);
        item.id = `quality:${node.root}:${m.id}`;
        const hints = qualityHints(m.score);
        item.description = `${qualityBadge(m.score.score)}${hints[0] ? ` · ${hints[0]}` : ''}`;
        item.tooltip = new vscode.MarkdownString(`${qualityTooltip(m.score)}\n\n\`${m.path}\``);
        item.iconPath = this.toneIcon(m.score.score);
        item.contextValue = 'mallard.qualityModel';
        item.command = { command: 'mallard.openDocs', title: 'Open Docs', arguments: [m.id, node.root] };
        return item;
      }
    }
  }

  private toneIcon(score: number): vscode.ThemeIcon {
    const tone = qualityTone(score);
    return new vscode.ThemeIcon(TONE_ICON[tone], new vscode.ThemeColor(TONE_COLOR[tone]));
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
