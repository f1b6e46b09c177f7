import type { Column, Entity } from '../model/entities';

/**
 * Documentation quality scores (issue 16) for a column, a model and a project, 0–100, with the
 * parts that make them up so the UI can say what to fix. Weights: a column is its description
 * (60) and a test (40); a model is its description (25), its columns' description coverage (25),
 * tests (25: any entity test, else the share of tested columns), an owner (15) and docs no older
 * than the code (10; full marks when the dates are unknown, since a score must not punish what
 * cannot be measured).
 */

/** One part of a score. */
export interface ScorePart {
  part: 'description' | 'columnDescriptions' | 'tests' | 'owner' | 'freshness';
  /** Points earned of `max`. */
  points: number;
  max: number;
  /** What to do to earn the rest ("describe 4 of 9 columns"); empty when full. */
  hint: string;
}

export interface Score {
  score: number;
  parts: ScorePart[];
}

const round = (n: number): number => Math.round(n * 10) / 10;

/** Score of one column (its description and tests; the docs panel passes its own column shape). */
export function columnScore(c: { description: string; tests: readonly unknown[] }): Score {
  const parts: ScorePart[] = [
    { part: 'description', points: c.description.trim() === '' ? 0 : 60, max: 60, hint: c.description.trim() === '' ? 'add a description' : '' },
    { part: 'tests', points: c.tests.length > 0 ? 40 : 0, max: 40, hint: c.tests.length > 0 ? '' : 'add a test' },
  ];
  return { score: parts.reduce((s, p) => s + p.points, 0), parts };
}

/** Dates (ms since epoch) for freshness: the last change of the entity's docs and of its code. */
export interface Freshness {
  docsChangedAt?: number;
  codeChangedAt?: number;
}

/** Score of one model (or any entity with columns). */
export function entityScore(e: Entity, columns: readonly Column[], freshness: Freshness = {}): Score {
  const described = columns.filter((c) => c.description.trim() !== '').length;
  const tested = columns.filter((c) => c.tests.length > 0).length;
  const coverage = columns.length === 0 ? 1 : described / columns.length;
  const testShare = e.tests.length > 0 ? 1 : columns.length === 0 ? 0 : tested / columns.length;
  const stale = freshness.docsChangedAt !== undefined && freshness.codeChangedAt !== undefined && freshness.docsChangedAt < freshness.codeChangedAt;
  const parts: ScorePart[] = [
    { part: 'description', points: e.description.trim() === '' ? 0 : 25, max: 25, hint: e.description.trim() === '' ? 'describe the model' : '' },
    { part: 'columnDescriptions', points: round(25 * coverage), max: 25, hint: coverage < 1 ? `describe ${columns.length - described} of ${columns.length} columns` : '' },
    { part: 'tests', points: round(25 * testShare), max: 25, hint: testShare < 1 ? (tested === 0 ? 'add a test' : `test ${columns.length - tested} more columns or the model`) : '' },
    { part: 'owner', points: e.owners.length > 0 ? 15 : 0, max: 15, hint: e.owners.length > 0 ? '' : 'set an owner' },
    { part: 'freshness', points: stale ? 0 : 10, max: 10, hint: stale ? 'the SQL changed after the docs: review them' : '' },
  ];
  return { score: round(parts.reduce((s, p) => s + p.points, 0)), parts };
}

/** A project's score: the mean of its models' scores, with the coverage figures a summary shows. */
export interface ProjectScore {
  score: number;
  models: number;
  describedModels: number;
  columns: number;
  describedColumns: number;
  testedModels: number;
  ownedModels: number;
}

/** Scores a project from its models and their columns (`columnsOf(entityId)`). */
export function projectScore(models: readonly Entity[], columnsOf: (entityId: string) => readonly Column[], freshnessOf: (entityId: string) => Freshness = () => ({})): ProjectScore {
  let total = 0;
  let columns = 0;
  let describedColumns = 0;
  let tested = 0;
  for (const m of models) {
    const cols = columnsOf(m.id);
    total += entityScore(m, cols, freshnessOf(m.id)).score;
    columns += cols.length;
    describedColumns += cols.filter((c) => c.description.trim() !== '').length;
    if (m.tests.length > 0 || cols.some((c) => c.tests.length > 0)) tested++;
  }
  return {
    score: models.length === 0 ? 0 : round(total / models.length),
    models: models.length,
    describedModels: models.filter((m) => m.description.trim() !== '').length,
    columns,
    describedColumns,
    testedModels: tested,
    ownedModels: models.filter((m) => m.owners.length > 0).length,
  };
}
