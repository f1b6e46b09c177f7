import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { renderDbtNode } from '../../core/dbt/api';
import { planWorkspace } from '../../core/pipeline/workspacePlan';

/**
 * The compiled SQL of one model as the core renderer produces it, computed independently of the
 * extension: every file of the folder read into memory, the workspace planned, the model rendered
 * with `renderDbtNode`. Show Compiled SQL tests compare the document with it.
 */
export function expectedCompiledSql(workspace: string, relPath: string, text?: string): { compiledSql: string; errors: string[] } {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === '.mallard' || entry.name === 'node_modules' || entry.name === '.git') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(workspace, full).split(path.sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(workspace);
  const plan = planWorkspace({ list: () => [...files.keys()].sort(), read: (p) => files.get(p) }, { workspaceName: path.basename(workspace) });
  const project = plan.dbt.find((p) => p.nodePaths.has(relPath));
  if (!project) throw new Error(`${relPath} is not a node of a dbt project in ${workspace}`);
  const result = renderDbtNode(project.ctx, relPath, text ?? files.get(relPath) ?? '');
  return { compiledSql: result.rendered.compiledSql, errors: result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line}:${d.column} ${d.code}`) };
}
