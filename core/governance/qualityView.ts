import type { ProjectScore, Score } from './quality';

/**
 * How quality scores (`quality.ts`) are shown: the badge of a tree row, the hints of the docs panel
 * header and the tooltip, and the project summary (coverage lines and the lowest-scoring models).
 * Pure, so every view shows the same words and the tests check them without VS Code.
 */

/** A scored entity, as the views list it. */
export interface ScoredEntity {
  id: string;
  name: string;
  kind: string;
  path: string;
  score: Score;
}

/** The badge of a score: a whole percentage (`72%`). */
export function qualityBadge(score: number): string {
  return `${Math.round(score)}%`;
}

/** Good (≥ 80), fair (≥ 50) or poor: the colour a view gives the score. */
export function qualityTone(score: number): 'good' | 'fair' | 'poor' {
  return score >= 80 ? 'good' : score >= 50 ? 'fair' : 'poor';
}

/** What to do to raise the score, most points first, each with the points it would earn (`describe 4 of 9 columns (+11)`). */
export function qualityHints(score: Score): string[] {
  return score.parts
    .filter((p) => p.hint !== '' && p.points < p.max)
    .sort((a, b) => b.max - b.points - (a.max - a.points))
    .map((p) => `${p.hint} (+${Math.round((p.max - p.points) * 10) / 10})`);
}

/** The tooltip of a scored tree row (Markdown): the score and its hints. */
export function qualityTooltip(score: Score): string {
  const hints = qualityHints(score);
  return [`**Docs quality ${qualityBadge(score.score)}**`, ...(hints.length > 0 ? hints.map((h) => `- ${h}`) : ['- nothing missing'])].join('\n');
}

/** One coverage line of the project summary. */
export interface CoverageLine {
  label: string;
  done: number;
  total: number;
  /** Whole percentage; 100 when there is nothing to cover. */
  percent: number;
}

/** A project's summary: its score, coverage lines, and the models to improve first. */
export interface ProjectSummary {
  project: string;
  score: number;
  models: number;
  coverage: CoverageLine[];
  /** Lowest scores first (then by name); at most `worst` of them, only those below 100. */
  worst: ScoredEntity[];
}

const line = (label: string, done: number, total: number): CoverageLine => ({ label, done, total, percent: total === 0 ? 100 : Math.round((100 * done) / total) });

/** Builds the summary of one project from its score and its scored models. */
export function projectSummary(project: string, score: ProjectScore, models: readonly ScoredEntity[], worst = 10): ProjectSummary {
  return {
    project,
    score: score.score,
    models: score.models,
    coverage: [
      line('Model descriptions', score.describedModels, score.models),
      line('Column descriptions', score.describedColumns, score.columns),
      line('Models with tests', score.testedModels, score.models),
      line('Models with an owner', score.ownedModels, score.models),
    ],
    worst: models
      .filter((m) => m.score.score < 100)
      .sort((a, b) => a.score.score - b.score.score || a.name.localeCompare(b.name))
      .slice(0, worst),
  };
}
