import type { ComplianceRule } from '../../core/governance/compliance';
import type { PropagatedClass } from '../../core/governance/propagate';
import { CatalogStore } from '../catalog/catalogStore';
import { openSuggestions, propagatedClasses, refreshRuleSuggestions, type StoredSuggestion } from '../governance/classificationStore';
import { evaluateLocal, type LocatedViolation } from '../governance/complianceLocal';
import { serveCatalogJobs } from './catalogJobs';

/**
 * The worker thread of governance in the editor (`governanceViews.ts`): refreshing the rule
 * suggestions over every column and evaluating the compliance rules take seconds at 5,000 models
 * (measured: 0.6–1.3 s and 1.2–2.5 s), which must not block the extension host. It opens the
 * catalog for each request (it writes the suggestions: SQLite's busy timeout waits for a scan's
 * write) and closes it after, so no connection outlives the catalog.
 */

/** Evaluate the catalog in `file` with `rules`. */
export interface GovernanceRequest {
  file: string;
  rules: ComplianceRule[];
}

/** What the views show. */
export interface GovernanceResult {
  violations: LocatedViolation[];
  suggestions: StoredSuggestion[];
  derived: PropagatedClass[];
}

/** One evaluation (the worker's job; tests call it directly too). */
export function evaluateGovernance(store: CatalogStore, rules: readonly ComplianceRule[]): GovernanceResult {
  refreshRuleSuggestions(store);
  return { violations: evaluateLocal(store, rules), suggestions: openSuggestions(store), derived: propagatedClasses(store) };
}

serveCatalogJobs<GovernanceRequest, GovernanceResult>((request) => {
  const store = CatalogStore.open(request.file);
  try {
    return evaluateGovernance(store, request.rules);
  } finally {
    store.close();
  }
});
