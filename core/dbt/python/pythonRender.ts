import type { Diagnostic } from '../../model/entities';
import type { LineIndex } from '../jinja/lexer';
import { fromPlain } from '../jinja/values';
import type { RecordedCall, RenderSession } from '../session';
import { readPythonModel } from './pythonModel';

/**
 * Feeds a Python model into the node's render session, so the rest of `renderNode` (ref
 * resolution, config layers, the entity) treats it like a SQL model: its `dbt.ref()`/`dbt.source()`
 * calls become recorded calls, its `dbt.config()` calls config layers, its problems diagnostics.
 * A Python model has no SQL: `renderNode` renders it as empty lines (one per source line), so no
 * column lineage is derived; its columns are the ones YAML declares.
 */

type Diag = (line: number, column: number, severity: Diagnostic['severity'], code: string, message: string) => void;

/** Reads the Python model `text` into `session` (calls, config layers) and reports its findings. */
export function readPythonModelInto(session: RenderSession, text: string, lines: LineIndex, diag: Diag): void {
  const info = readPythonModel(text);
  for (const f of info.findings) {
    const at = lines.at(f.offset);
    diag(at.line, at.column, f.severity, f.code, f.message);
  }
  if (info.empty) diag(1, 1, 'info', 'dbt-python-model', 'this Python file holds no code: dbt parses it as an empty Python model, which fails when it runs');
  const where = (offset: number): Pick<RecordedCall, 'file' | 'line' | 'column'> => ({ file: session.node.file, ...lines.at(offset) });
  for (const r of info.refs) {
    session.calls.push({ kind: 'ref', name: r.name, ...(r.first !== undefined ? { first: r.first } : {}), ...(r.version !== undefined ? { version: r.version } : {}), ...where(r.offset) });
  }
  for (const s of info.sources) session.calls.push({ kind: 'source', first: s.source, name: s.table, ...where(s.offset) });
  for (const c of info.configCalls) session.configCalls.push(new Map(Object.entries(c.opts).map(([k, v]) => [k, fromPlain(v)])));
}
