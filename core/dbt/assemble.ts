import { emptyFacts, type Facts } from '../model/entities';
import type { DbtManifest, DbtNodeResult, DbtProjectContext } from './api';

/** Assembles project facts; see `assembleDbtProject`. */
export function assembleFacts(ctx: DbtProjectContext, _results: DbtNodeResult[], _manifest?: DbtManifest): Facts {
  return { ...emptyFacts(), ...ctx.facts };
}
