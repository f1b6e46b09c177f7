import type { ResolvedStatement, ResolveLineageFn } from '../pipeline/contracts';

/**
 * Resolves one parsed statement's IR against a schema into column-level lineage.
 * Never throws: names it cannot resolve are reported in `unresolved`.
 */
export const resolveLineage: ResolveLineageFn = (parsed, _schema): ResolvedStatement => {
  // Stub committed early so other engineers can code against the signature.
  const out: ResolvedStatement = { kind: parsed.kind, reads: parsed.reads, columns: [], indirect: [], unresolved: [] };
  if (parsed.target) out.target = parsed.target;
  return out;
};
