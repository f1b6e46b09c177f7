import type { Column, Entity } from '../../core/model/entities';
import { entityScore, projectScore, type Freshness, type Score } from '../../core/governance/quality';
import { projectSummary, qualityHints, type ProjectSummary, type ScoredEntity } from '../../core/governance/qualityView';
import type { CatalogStore } from '../catalog/catalogStore';
import type { FileRecord } from '../catalog/catalogTypes';

/**
 * Quality scores of a whole catalog, read once and kept until the catalog changes: every dbt model,
 * seed, snapshot and source gets a score (the tree's badge, the docs panel's header), and every
 * project a summary over its models. No `vscode`, so the tests and `npm run bench -- quality` run it
 * on real SQLite catalogs.
 *
 * Freshness compares the last change of a model's SQL file with that of the properties file that
 * documents it (the file its declared columns come from): the last commit dates when git knows both
 * files, else their modification times. A model with no properties file has no docs to be stale.
 */

/** The kinds that are scored: those whose docs live in properties files. */
export const SCORED_KINDS = ['model', 'seed', 'snapshot', 'source'] as const;

/** A catalog's scores. */
export interface QualityIndex {
  byEntity: Map<string, ScoredEntity>;
  /** Per project (that has models): the summary over its models. */
  projects: ProjectSummary[];
}

type Reads = Pick<CatalogStore, 'listEntities' | 'getEntity' | 'columnsOf' | 'listFiles'>;

/** The dates freshness compares, for one entity. */
export function freshnessOf(entity: Entity, columns: readonly Column[], files: ReadonlyMap<string, FileRecord>): Freshness {
  const docsFile = columns.find((c) => c.provenance.extractor === 'dbt-yaml' && c.provenance.file !== entity.path)?.provenance.file;
  const code = files.get(entity.path);
  const docs = docsFile === undefined ? undefined : files.get(docsFile);
  if (!code || !docs) return {};
  if (code.lastCommitDate && docs.lastCommitDate) {
    const codeAt = Date.parse(code.lastCommitDate);
    const docsAt = Date.parse(docs.lastCommitDate);
    if (!Number.isNaN(codeAt) && !Number.isNaN(docsAt)) return { codeChangedAt: codeAt, docsChangedAt: docsAt };
  }
  return { codeChangedAt: code.mtimeMs, docsChangedAt: docs.mtimeMs };
}

/** Scores every scored entity of the catalog. */
export function computeQuality(store: Reads, worst = 10): QualityIndex {
  const files = new Map(store.listFiles().map((f) => [f.path, f]));
  const byEntity = new Map<string, ScoredEntity>();
  const models = new Map<string, { entities: Entity[]; columns: Map<string, Column[]>; freshness: Map<string, Freshness>; scored: ScoredEntity[] }>();
  for (let offset = 0; ; offset += 10_000) {
    const page = store.listEntities({ kind: [...SCORED_KINDS], limit: 10_000, offset });
    for (const summary of page.items) {
      const entity = store.getEntity(summary.id);
      if (!entity || entity.disabled) continue;
      const columns = store.columnsOf(entity.id);
      const freshness = freshnessOf(entity, columns, files);
      const scored: ScoredEntity = { id: entity.id, name: entity.name, kind: entity.kind, path: entity.path, score: entityScore(entity, columns, freshness) };
      byEntity.set(entity.id, scored);
      if (entity.kind !== 'model') continue;
      let project = models.get(entity.project);
      if (!project) models.set(entity.project, (project = { entities: [], columns: new Map(), freshness: new Map(), scored: [] }));
      project.entities.push(entity);
      project.columns.set(entity.id, columns);
      project.freshness.set(entity.id, freshness);
      project.scored.push(scored);
    }
    if (page.items.length < 10_000) break;
  }
  const projects = [...models].sort((a, b) => a[0].localeCompare(b[0])).map(([name, p]) => projectSummary(
    name,
    projectScore(p.entities, (id) => p.columns.get(id) ?? [], (id) => p.freshness.get(id) ?? {}),
    p.scored,
    worst,
  ));
  return { byEntity, projects };
}

/** One catalog's index, computed on first use after each change. */
export class QualityCache {
  private index: QualityIndex | undefined;

  constructor(private readonly store: Reads) {}

  /** The scores (computed now if the catalog changed since). */
  get(): QualityIndex {
    this.index ??= computeQuality(this.store);
    return this.index;
  }

  /** The score of one entity, if it is scored. */
  score(entityId: string): Score | undefined {
    return this.get().byEntity.get(entityId)?.score;
  }

  /** Forgets the scores; the next read computes them again. */
  invalidate(): void {
    this.index = undefined;
  }
}

/** One entity's score, read fresh (the docs panel shows it right after a save, before the worker's next pass). */
export function entityQuality(store: Pick<CatalogStore, 'columnsOf' | 'getFile'>, entity: Entity): Score {
  const columns = store.columnsOf(entity.id);
  const files = new Map<string, FileRecord>();
  for (const p of [entity.path, ...new Set(columns.map((c) => c.provenance.file))]) {
    const f = store.getFile(p);
    if (f) files.set(p, f);
  }
  return entityScore(entity, columns, freshnessOf(entity, columns, files));
}

/** The docs panel's `quality` field: the score and its hints, for scored kinds only. */
export function docQuality(store: Pick<CatalogStore, 'columnsOf' | 'getFile'>, entity: Entity): { quality?: { score: number; hints: string[] } } {
  if (!(SCORED_KINDS as readonly string[]).includes(entity.kind)) return {};
  const score = entityQuality(store, entity);
  return { quality: { score: score.score, hints: qualityHints(score) } };
}
