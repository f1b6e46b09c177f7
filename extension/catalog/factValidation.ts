import type { z } from 'zod';
import { Column, ColumnEdge, Diagnostic, Entity, ModelEdge, UnresolvedRef } from '../../core/model/entities';
import type { Facts } from '../../core/model/entities';
import { CatalogError } from './catalogError';

/**
 * Validates facts against the shared zod schemas before anything is written, so a buggy extractor
 * gets a precise error instead of a half-usable catalog row (for example a string `line`). Defaults
 * (empty description, tags, …) are applied on the way, which keeps stored payloads uniform.
 */
export function validateFacts(facts: Facts): Facts {
  return {
    entities: parseAll(Entity, facts.entities, 'entities'),
    columns: parseAll(Column, facts.columns, 'columns'),
    modelEdges: parseAll(ModelEdge, facts.modelEdges, 'modelEdges'),
    columnEdges: parseAll(ColumnEdge, facts.columnEdges, 'columnEdges'),
    unresolved: parseAll(UnresolvedRef, facts.unresolved, 'unresolved'),
    diagnostics: parseAll(Diagnostic, facts.diagnostics, 'diagnostics'),
  };
}

function parseAll<S extends z.ZodType>(schema: S, items: readonly unknown[] | undefined, field: string): z.output<S>[] {
  if (!Array.isArray(items)) {
    throw new CatalogError('invalid-input', `facts.${field} must be an array.`);
  }
  const out: z.output<S>[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const result = schema.safeParse(items[i]);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue === undefined ? '' : ` at ${issue.path.join('.') || '(root)'}: ${issue.message}`;
      throw new CatalogError('invalid-input', `facts.${field}[${i}] is invalid${where}.`);
    }
    out[i] = result.data;
  }
  return out;
}
