/**
 * The macro files of a dbt context, parsed once per context (every node's render defines their
 * macros), and what becomes of a macro file that does not parse: one error at the file itself, and
 * a warning where one of its macros is called (`RenderSession`), instead of "unknown macro".
 */
import type { Diagnostic } from '../model/entities';
import type { DbtProjectContext } from './api';
import { JinjaError, LineIndex } from './jinja/lexer';
import { parseTemplate } from './jinja/parser';
import type { Template } from './jinja/scope';

/** Parsed macro files, cached per context hash (parsing every macro file for every model would dominate). */
const macroCache = new Map<string, { project: string; tpl: Template; error?: JinjaError }[]>();

/** The context's macro files, parsed (a file that does not parse has no nodes and its `error`). */
export function parsedMacros(ctx: DbtProjectContext): { project: string; tpl: Template; error?: JinjaError }[] {
  const hit = macroCache.get(ctx.contextHash);
  if (hit) return hit;
  const parsed = ctx.macroFiles.map((f) => {
    const lines = new LineIndex(f.text);
    try {
      return { project: f.project, tpl: { file: f.path, text: f.text, nodes: parseTemplate(f.text), lines } };
    } catch (err) {
      const error = err instanceof JinjaError ? err : new JinjaError(String(err), 0);
      return { project: f.project, tpl: { file: f.path, text: f.text, nodes: [], lines }, error };
    }
  });
  if (macroCache.size > 8) macroCache.clear();
  macroCache.set(ctx.contextHash, parsed);
  return parsed;
}

/** Notice code of a call to a macro whose file does not parse (a warning at the calling node). */
export const MACRO_NOT_LOADED = 'macro-not-loaded';

/** Names a macro file declares (`{% macro name(`), read from its text since it does not parse. */
export function declaredMacroNames(text: string): string[] {
  return [...text.matchAll(/\{%[-+]?\s*macro\s+([A-Za-z_]\w*)/g)].map((m) => m[1] ?? '');
}

/**
 * One error per macro file that does not parse, at the file's own line and column: dbt fails to
 * parse a project with such a file. Parsing fills the render cache, so nodes do not parse it again.
 */
export function macroLoadErrors(ctx: DbtProjectContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const m of parsedMacros(ctx)) {
    if (!m.error) continue;
    const at = m.tpl.lines.at(m.error.offset);
    const names = declaredMacroNames(m.tpl.text);
    const lost = names.length === 0 ? '' : `; ${names.length === 1 ? 'its macro' : 'its macros'} ${names.map((n) => `\`${n}\``).join(', ')} cannot be used`;
    out.push({ file: m.tpl.file, line: at.line, column: at.column, severity: 'error', code: 'jinja-syntax', message: `${m.error.reason}${lost}`, extractor: 'dbt-jinja' });
  }
  return out;
}
