import type { DbtProjectContext } from './api';

/**
 * dbt's `var()` precedence without CLI vars (https://docs.getdbt.com/docs/build/project-variables):
 * 1. the root project's vars scoped to the node's package (`vars: {pkg: {x: …}}`),
 * 2. the root project's global vars,
 * 3. the node's own package's vars scoped to itself,
 * 4. the node's own package's global vars;
 * the caller's default comes after these.
 */
export function resolveVar(ctx: DbtProjectContext, nodeProject: string, name: string): { found: true; value: unknown } | { found: false } {
  const projectNames = new Set(ctx.projects.map((p) => p.name));
  const root = ctx.projects.find((p) => p.isRoot);
  const own = ctx.projects.find((p) => p.name === nodeProject);
  const layers: Record<string, unknown>[] = [];
  const scoped = (vars: Record<string, unknown> | undefined, pkg: string): void => {
    const v = vars?.[pkg];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) layers.push(v as Record<string, unknown>);
  };
  const global = (vars: Record<string, unknown> | undefined): void => {
    if (!vars) return;
    const g: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(vars)) if (!projectNames.has(k)) g[k] = v;
    layers.push(g);
  };
  scoped(root?.vars, nodeProject);
  global(root?.vars);
  if (own && own !== root) {
    scoped(own.vars, nodeProject);
    global(own.vars);
  }
  for (const layer of layers) if (Object.prototype.hasOwnProperty.call(layer, name)) return { found: true, value: layer[name] };
  return { found: false };
}
