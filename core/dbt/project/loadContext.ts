import { emptyFacts } from '../../model/entities';
import type { FileSource } from '../../pipeline/contracts';
import type { DbtLoadOptions, DbtProjectContext } from '../api';

/** Loads a project; see `loadDbtProject`. */
export function loadContext(_fs: FileSource, root: string, options: DbtLoadOptions): DbtProjectContext {
  const target = options.target ?? { name: 'dev', type: 'postgres', schema: 'public' };
  return { root, projectName: 'unknown', target, dialect: 'postgresql', contextHash: '', projects: [], macroFiles: [], dispatch: [], nodeFiles: [], facts: emptyFacts(), index: {} };
}
