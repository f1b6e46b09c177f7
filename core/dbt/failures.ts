import { emptyFacts, Entity, type Diagnostic } from '../model/entities';
import { modelId } from '../model/ids';
import type { DbtLoadOptions, DbtNodeResult, DbtProjectContext } from './api';
import { dialectFor } from './dialect';

/**
 * Last-resort results for the public API. The extractors are written not to throw; these keep the
 * "never throw on bad input" contract even if a bug slips through, with a located diagnostic.
 */

/** A diagnostic for an unexpected failure (our bug, not the project's: a warning), at the start of `file`. */
export function internalDiagnostic(file: string, stage: string, err: unknown): Diagnostic {
  const reason = err instanceof RangeError ? 'input nests too deeply' : err instanceof Error ? err.message : String(err);
  return { file, line: 1, column: 1, severity: 'warning', code: 'dbt-internal', message: `${stage} failed: ${reason}`, extractor: 'dbt-jinja' };
}

/** A context with no nodes, carrying the failure as a diagnostic. */
export function failedContext(root: string, options: DbtLoadOptions, err: unknown): DbtProjectContext {
  const target = options.target ?? { name: 'dev', type: 'postgres', schema: 'public' };
  const file = root === '' ? 'dbt_project.yml' : `${root}/dbt_project.yml`;
  const facts = emptyFacts();
  facts.diagnostics.push(internalDiagnostic(file, 'loading the dbt project', err));
  const name = root.split('/').pop() || 'dbt_project';
  return { root, projectName: name, target, dialect: dialectFor(target.type), contextHash: 'failed', projects: [], macroFiles: [], dispatch: [], nodeFiles: [], facts, index: {} };
}

/** A node result for a file whose rendering failed unexpectedly. */
export function failedNode(ctx: DbtProjectContext, path: string, text: string, err: unknown): DbtNodeResult {
  const name = (path.split('/').pop() ?? path).replace(/\.(sql|py)$/i, '');
  const id = modelId(ctx.projectName, name);
  const diagnostics = [internalDiagnostic(path, 'rendering', err)];
  const blank = text.replace(/[^\n]/g, '');
  const entity = Entity.parse({ id, kind: 'model', name, project: ctx.projectName, path, provenance: { file: path, line: 1, column: 1, extractor: 'dbt-jinja', confidence: 0.1 } });
  return { path, entity, dependencies: [], rendered: { entityId: id, compiledSql: blank, lineageSql: blank, placeholders: {}, lineOffset: 0, diagnostics }, diagnostics };
}
