import { renderDbtNode } from '../../core/dbt/api';
import type { WorkspaceScanner } from '../scanner/scanner';

/**
 * Show Compiled SQL, the scan worker's half: renders the text of one dbt model (the editor's
 * buffer, saved or not) with the dbt context the scanner loaded, the same `renderDbtNode` path a
 * scan takes, and turns the result into the text of the read-only compiled document. No `vscode`
 * here: it runs in the worker thread, so a slow render never blocks the extension host.
 */

/** A render error of the previewed file, 1-based as editors show it. */
export interface CompiledError {
  line: number;
  column: number;
  code: string;
  message: string;
}

/** What the worker answers to a render request. */
export type CompiledPreview =
  | { ok: true; compiledSql: string; errors: CompiledError[] }
  /** `not-dbt`: the file is in no dbt project; `failed`: the worker could not render (message says why). */
  | { ok: false; reason: 'not-dbt' | 'failed'; message: string };

/** Renders `text` as the dbt node at workspace-relative `relPath`; never throws. */
export async function renderCompiled(scanner: WorkspaceScanner, relPath: string, text: string): Promise<CompiledPreview> {
  try {
    const plan = await scanner.dbtPlanOf(relPath);
    if (!plan) return { ok: false, reason: 'not-dbt', message: `${relPath} is not in a dbt project` };
    const result = renderDbtNode(plan.ctx, relPath, text);
    const errors = result.diagnostics
      .filter((d) => d.severity === 'error' && d.file === relPath)
      .map((d) => ({ line: d.line, column: d.column, code: d.code, message: d.message }));
    return { ok: true, compiledSql: result.rendered.compiledSql, errors };
  } catch (err) {
    return { ok: false, reason: 'failed', message: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * The text of the compiled document: the rendered SQL as dbt compiles it, headed by one SQL
 * comment per render error (with its line and column in the model) so a template that does not
 * render reads as an explanation, not as an empty document. Without errors it is exactly the
 * renderer's `compiledSql`.
 */
export function compiledDocumentText(relPath: string, preview: CompiledPreview): string {
  if (!preview.ok) return `-- Mallard could not compile ${relPath}: ${oneLine(preview.message)}\n`;
  if (preview.errors.length === 0) return preview.compiledSql;
  const header = [
    `-- Mallard could not fully render ${relPath}:`,
    ...preview.errors.map((e) => `--   line ${e.line}, column ${e.column}: ${oneLine(e.message)} (${e.code})`),
    '-- What rendered follows.',
    '',
  ];
  return `${header.join('\n')}\n${preview.compiledSql}`;
}

/** A message on one comment line (a newline would end the comment). */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
