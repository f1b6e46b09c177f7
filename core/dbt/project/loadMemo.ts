/**
 * What the dbt loader keeps between loads of a project: each properties YAML file's declarations
 * and diagnostics, by the file's content. Parsing YAML is most of a load (about 1 s for 10 MB); a
 * YAML edit, which loads the project again, then parses only the edited file. The kept
 * declarations are shared with the contexts built from them, so nothing may mutate a
 * `DeclaredNode` once read (doc blocks are resolved into copies, see `declaredFacts.ts`).
 */
import type { Diagnostic } from '../../model/entities';
import { fnv1a } from '../builtins';
import { readProperties, type DeclaredNode } from './properties';
import { checkDeclaredNode } from './declaredDuplicates';
import { parseYamlFile } from './yamlFile';

/** A properties file as the loader reads it: its declarations and every diagnostic about them. */
export interface YamlProperties {
  declared: readonly DeclaredNode[];
  diagnostics: readonly Diagnostic[];
}

/** Kept between loads by the caller of `loadDbtProject` (see `DbtLoadOptions.memo`). */
export interface DbtLoadMemo {
  /** Path → the content key it was read with and what it gave. */
  yaml: Map<string, { key: string; props: YamlProperties }>;
}

/** An empty memo. */
export function newDbtLoadMemo(): DbtLoadMemo {
  return { yaml: new Map() };
}

/** Reads a properties YAML file of `project`, from the memo when its content is unchanged. */
export function readYamlProperties(text: string, path: string, project: string, memo: DbtLoadMemo | undefined): YamlProperties {
  const key = `${project}\u0000${text.length}\u0000${fnv1a(text)}`;
  const hit = memo?.yaml.get(path);
  if (hit && hit.key === key) return hit.props;
  const yf = parseYamlFile(text, path);
  const diagnostics: Diagnostic[] = [...yf.diagnostics];
  const declared = readProperties(yf, project, path);
  for (const node of declared) diagnostics.push(...checkDeclaredNode(node, yf), ...(node.diagnostics ?? []));
  const props = { declared, diagnostics };
  memo?.yaml.set(path, { key, props });
  return props;
}

/** Forgets the files that are gone (`exists` false), so a long-lived memo does not keep them. */
export function pruneDbtLoadMemo(memo: DbtLoadMemo, exists: (path: string) => boolean): void {
  for (const path of [...memo.yaml.keys()]) if (!exists(path)) memo.yaml.delete(path);
}
