import { h } from '../shared/vscodeApi';
import { columnScore } from '../../core/governance/quality';
import { qualityBadge, qualityTone } from '../../core/governance/qualityView';
import type { DocColumn, DocEntity } from './protocol';

/**
 * The docs panel header's quality score: the percentage, coloured by tone, and what is missing as
 * short hints (`describe 4 of 9 columns (+11)`), so the page says what to fix next.
 */
export function qualityPart(entity: DocEntity): HTMLElement | string {
  const q = entity.quality;
  if (!q) return '';
  const title = 'Docs quality: the model description (25), column descriptions (25), tests (25), an owner (15), docs no older than the SQL (10).';
  return h('p', { class: 'quality', 'data-testid': 'docs-quality' },
    h('span', { class: `quality-score ${qualityTone(q.score)}`, title }, `Quality ${qualityBadge(q.score)}`),
    ...(q.hints.length > 0 ? [' ', h('span', { class: 'quality-hints' }, `Missing: ${q.hints.join(' · ')}`)] : [' ', h('span', { class: 'quality-hints' }, 'Nothing missing')]));
}

/** A column's quality score as a small badge after its name; the tooltip says what is missing. */
export function columnQualityBadge(c: DocColumn): HTMLElement {
  const q = columnScore(c);
  const missing = q.parts.filter((p) => p.hint !== '').map((p) => p.hint);
  const title = `Column docs quality: a description (60), a test (40).${missing.length > 0 ? ` Missing: ${missing.join(', ')}.` : ''}`;
  return h('span', { class: `quality-score col ${qualityTone(q.score)}`, title, 'data-testid': `quality-${c.name}` }, qualityBadge(q.score));
}

/** Styles of the quality line (added to the docs view's). */
export const QUALITY_CSS = `
.quality { margin: 2px 0 6px; }
.quality-score { display: inline-block; padding: 0 8px; border-radius: 10px; font-weight: 600; background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); }
.quality-score.good { background: var(--vscode-testing-iconPassed, var(--vscode-badge-background)); color: var(--vscode-editor-background); }
.quality-score.poor { background: var(--vscode-inputValidation-errorBackground, var(--vscode-badge-background)); color: var(--vscode-foreground); }
.quality-score.col { padding: 0 5px; font-size: 0.8em; font-weight: 500; margin-left: 4px; }
.quality-hints { font-size: 0.9em; color: var(--vscode-descriptionForeground); }
`;
