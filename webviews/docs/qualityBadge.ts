import { h } from '../shared/vscodeApi';
import { qualityBadge, qualityTone } from '../../core/governance/qualityView';
import type { DocEntity } from './protocol';

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

/** Styles of the quality line (added to the docs view's). */
export const QUALITY_CSS = `
.quality { margin: 2px 0 6px; }
.quality-score { display: inline-block; padding: 0 8px; border-radius: 10px; font-weight: 600; background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); }
.quality-score.good { background: var(--vscode-testing-iconPassed, var(--vscode-badge-background)); color: var(--vscode-editor-background); }
.quality-score.poor { background: var(--vscode-inputValidation-errorBackground, var(--vscode-badge-background)); color: var(--vscode-foreground); }
.quality-hints { font-size: 0.9em; color: var(--vscode-descriptionForeground); }
`;
