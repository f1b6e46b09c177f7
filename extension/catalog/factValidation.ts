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

/** Throws the store's `invalid-input` error unless `items` is an array. */
export function checkArray(items: unknown, field: string): asserts items is readonly unknown[] {
  if (!Array.isArray(items)) throw new CatalogError('invalid-input', `facts.${field} must be an array.`);
}

/** Validates one item (`facts.<field>[<index>]`), returning zod's output (defaults applied). */
export function validateOne<S extends z.ZodType>(schema: S, item: unknown, field: string, index: number): z.output<S> {
  const result = schema.safeParse(item);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue === undefined ? '' : ` at ${issue.path.join('.') || '(root)'}: ${issue.message}`;
    throw new CatalogError('invalid-input', `facts.${field}[${index}] is invalid${where}.`);
  }
  return result.data;
}

function parseAll<S extends z.ZodType>(schema: S, items: readonly unknown[] | undefined, field: string): z.output<S>[] {
  checkArray(items, field);
  const out: z.output<S>[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) out[i] = validateOne(schema, items[i], field, i);
  return out;
}
