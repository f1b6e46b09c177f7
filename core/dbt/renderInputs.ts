/**
 * What a node's render reads from its dbt context, split in two so that a cached render can be
 * kept when the context changes in ways that cannot touch it:
 *
 * - `sharedRenderHash`: everything every render may read (target, projects and their vars,
 *   macros, dispatch, config trees, sources, seeds). It leaves out what the renderer never reads
 *   (YAML descriptions, columns, tests, docs, exposures: the assembler's) and the node-keyed tables
 *   (refs, node files, YAML `config:` per node, literal in-file configs), so a description edit
 *   or a renamed model leaves it unchanged.
 * - `nodeRenderInputs`: the node-keyed entries one render read: its own file, YAML props and
 *   relation, and for each `ref()` it called, the node the ref resolves to and that node's
 *   relation inputs (an unresolved ref depends on every ref-able name: its message suggests one).
 *
 * A render is a function of (file text, shared part, the entries it read): when the shared hash
 * and the node's inputs under a new context equal those it was rendered with, every lookup it made
 * answers the same, so it would render the same (the calls it makes can only differ after a lookup
 * differed). The scanner keys its parse cache by the shared hash and checks the node inputs.
 */
import type { DbtNodeResult, DbtProjectContext } from './api';
import { fnv1a } from './builtins';
import { indexOf, type DbtIndex } from './contextIndex';
import { resolveRefTarget } from './relationNames';

/** One distinct `ref()`/`source()` call of a render, as `callKey` writes it. */
export type CallKey = string;

/** Separates the fields of a call key; `NONE` stands for an absent package or version. */
const SEP = '\u0001';
const NONE = '\u0002';

/** The key of a recorded call: kind, package or source name, name, version. */
export function callKey(call: { kind: 'ref' | 'source'; first?: string; name: string; version?: string }): CallKey {
  return [call.kind, call.first ?? NONE, call.name, call.version ?? NONE].join(SEP);
}

const sharedMemo = new WeakMap<DbtProjectContext, string>();
const refNamesMemo = new WeakMap<DbtProjectContext, string>();
/** Per context: `relationInputs` by node id, as text (many models ref the same upstreams). */
const relationMemo = new WeakMap<DbtProjectContext, Map<string, string>>();

/**
 * Hash of the part of a context that any render may read (see the file comment). Memoized per
 * context object: a context is never mutated once the planner hands it out.
 */
export function sharedRenderHash(ctx: DbtProjectContext): string {
  const memo = sharedMemo.get(ctx);
  if (memo !== undefined) return memo;
  const idx = indexOf(ctx);
  const shared = {
    root: ctx.root,
    projectName: ctx.projectName,
    target: ctx.target,
    dialect: ctx.dialect,
    projects: ctx.projects,
    macroFiles: ctx.macroFiles,
    dispatch: ctx.dispatch,
    missingPackages: ctx.missingPackages ?? [],
    sources: idx.sources,
    seedRelations: idx.seedRelations,
    modelConfigTree: idx.modelConfigTree,
    snapshotConfigTree: idx.snapshotConfigTree,
    packageModelTrees: idx.packageModelTrees,
  };
  const hash = fnv1a(JSON.stringify(shared));
  sharedMemo.set(ctx, hash);
  return hash;
}

/** Every ref-able name (an unresolved ref's message suggests the closest one). */
function refNamesHash(ctx: DbtProjectContext, idx: DbtIndex): string {
  const memo = refNamesMemo.get(ctx);
  if (memo !== undefined) return memo;
  const names = Object.entries(idx.refs).map(([p, t]) => `${p}:${Object.keys(t).sort().join(',')}`).sort();
  const hash = fnv1a(names.join('\n'));
  refNamesMemo.set(ctx, hash);
  return hash;
}

function baseName(path: string): string {
  const file = path.slice(path.lastIndexOf('/') + 1);
  const dot = file.lastIndexOf('.');
  const ext = dot < 0 ? '' : file.slice(dot + 1).toLowerCase();
  return ext === 'sql' || ext === 'py' ? file.slice(0, dot) : file;
}

/**
 * A node file's YAML props as renders see them: props that only repeat the file's name (a model
 * described in YAML, with no `config:` or version) change nothing, so a first description of a
 * model does not re-render it and the models that ref it.
 */
function propsOf(idx: DbtIndex, project: string, path: string): unknown {
  const base = baseName(path);
  const props = idx.nodeProps[project]?.[base];
  if (!props || (props.name === base && props.version === undefined && Object.keys(props.config).length === 0)) return null;
  return props;
}

/** What naming node `id`'s relation reads (see `relationNames.ts`): its file, YAML props and literal config. */
function relationInputs(ctx: DbtProjectContext, idx: DbtIndex, id: string): string {
  let memo = relationMemo.get(ctx);
  if (!memo) relationMemo.set(ctx, (memo = new Map()));
  let text = memo.get(id);
  if (text === undefined) {
    const path = idx.nodePaths[id];
    const file = path === undefined ? undefined : idx.files[path];
    text = JSON.stringify(path === undefined || !file ? [id, null] : [id, path, file, propsOf(idx, file.project, path), idx.inlineConfigs[path] ?? null]);
    memo.set(id, text);
  }
  return text;
}

/**
 * Signature of the node-keyed context entries the render of `node` (at `path`) read: equal under
 * two contexts with the same `sharedRenderHash` means the render is the same under both.
 */
export function nodeRenderInputs(ctx: DbtProjectContext, path: string, node: Pick<DbtNodeResult, 'entity' | 'lookups'>): string {
  const idx = indexOf(ctx);
  const file = idx.files[path];
  const project = node.entity.project;
  const parts: string[] = [JSON.stringify([file ?? null, propsOf(idx, file?.project ?? project, path)]), relationInputs(ctx, idx, node.entity.id)];
  for (const key of node.lookups ?? []) {
    const [kind, first, name = '', version] = key.split(SEP);
    // Sources are in the shared part; only refs depend on the node-keyed tables.
    if (kind !== 'ref') continue;
    const target = resolveRefTarget(ctx, idx, project, { name, ...(first !== undefined && first !== NONE ? { first } : {}), ...(version !== undefined && version !== NONE ? { version } : {}) });
    parts.push(key, target === undefined ? refNamesHash(ctx, idx) : relationInputs(ctx, idx, target));
  }
  return fnv1a(parts.join('\u0000'));
}
