import type { DbtManifestResult } from './api';

/** Parses manifest text; see `readManifest`. */
export function parseManifest(_text: string, file: string): DbtManifestResult {
  return { ok: false, diagnostics: [{ file, line: 1, column: 1, severity: 'info', code: 'manifest-unsupported', message: 'not implemented yet', extractor: 'manifest' }] };
}
