import type { Diagnostic } from '../model/entities';
import type { DbtManifest, DbtManifestNode, DbtManifestResult } from './api';
import { LineIndex } from './jinja/lexer';

function rec(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Parses manifest text; see `readManifest`. Pure and total: never throws. */
export function parseManifest(text: string, file: string, fallback = 'falling back to rendering'): DbtManifestResult {
  const diag = (line: number, column: number, message: string): Diagnostic => ({ file, line: Math.max(1, line), column: Math.max(1, column), severity: 'warning', code: 'manifest-invalid', message, extractor: 'manifest' });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const m = /position (\d+)/.exec(msg);
    const at = new LineIndex(text).at(m ? Number(m[1]) : text.length);
    return { ok: false, diagnostics: [diag(at.line, at.column, `manifest is not valid JSON (truncated or being written?): ${msg}; ${fallback}`)] };
  }
  const root = rec(data);
  if (typeof root.nodes !== 'object' || root.nodes === null) return { ok: false, diagnostics: [diag(1, 1, `manifest has no 'nodes' object; ${fallback}`)] };
  const nodes: Record<string, DbtManifestNode> = {};
  const take = (entries: Record<string, unknown>, enabled: boolean): void => {
    for (const [id, raw] of Object.entries(entries)) {
      const n = rec(Array.isArray(raw) ? raw[0] : raw);
      const deps = rec(n.depends_on).nodes;
      const path = typeof n.original_file_path === 'string' ? n.original_file_path : undefined;
      const code = typeof n.compiled_code === 'string' ? n.compiled_code : typeof n.compiled_sql === 'string' ? n.compiled_sql : undefined;
      nodes[id] = {
        uniqueId: id,
        resourceType: typeof n.resource_type === 'string' ? n.resource_type : id.split('.')[0] ?? '',
        name: typeof n.name === 'string' ? n.name : id.split('.').pop() ?? id,
        packageName: typeof n.package_name === 'string' ? n.package_name : id.split('.')[1] ?? '',
        ...(path ? { originalFilePath: path } : {}),
        dependsOn: Array.isArray(deps) ? deps.filter((d): d is string => typeof d === 'string') : [],
        ...(code !== undefined ? { compiledCode: code } : {}),
        enabled: enabled && rec(n.config).enabled !== false,
      };
    }
  };
  take(rec(root.nodes), true);
  take(rec(root.exposures), true);
  take(rec(root.disabled), false);
  const meta = rec(root.metadata);
  const manifest: DbtManifest = { nodes, sources: Object.keys(rec(root.sources)), ...(typeof meta.project_name === 'string' ? { projectName: meta.project_name } : {}) };
  return { ok: true, manifest, diagnostics: [] };
}
