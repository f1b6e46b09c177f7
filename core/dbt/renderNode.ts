import { Entity } from '../model/entities';
import { modelId } from '../model/ids';
import type { DbtNodeResult, DbtProjectContext } from './api';

/** Renders one node; see `renderDbtNode`. */
export function renderNode(ctx: DbtProjectContext, path: string, text: string): DbtNodeResult {
  const name = (path.split('/').pop() ?? path).replace(/\.sql$/, '');
  const id = modelId(ctx.projectName, name);
  const entity = Entity.parse({ id, kind: 'model', name, project: ctx.projectName, path, provenance: { file: path, line: 1, column: 1, extractor: 'dbt-jinja', confidence: 0.9 } });
  return { path, entity, dependencies: [], rendered: { entityId: id, compiledSql: text, lineageSql: text, placeholders: {}, lineOffset: 0, diagnostics: [] }, diagnostics: [] };
}
