import type { PulledRow, PullResponse } from '../../../core/sync/pullMessages';
import { SYNC_SCHEMA_VERSION } from '../../../core/sync/limits';

/**
 * Pulled pages built in tests and benchmarks: `count` org-catalog or metadata rows with ~1 KB
 * payloads, as the server would serve them.
 */

export const BENCH_ORG = '11111111-1111-4111-8111-111111111111';
const WRITER = 'eeeeeeee-0000-4000-8000-000000000001';

/** One catalog entity row of about 1 KB. */
export function catalogEntityRow(i: number, teamId: string | null = null): PulledRow {
  const id = `model.org.m${String(i).padStart(6, '0')}`;
  const payload = {
    id, kind: 'model', name: `m${i}`, project: 'org', path: `models/m${i}.sql`, description: `Model ${i}: ${'lorem ipsum dolor sit amet '.repeat(25)}`,
    tags: ['finance', `t${i % 17}`], meta: { tier: i % 3 }, owners: [], tests: [], disabled: false,
    provenance: { file: `models/m${i}.sql`, line: 1, column: 1, extractor: 'cloud', confidence: 1 },
  };
  return { target: { kind: 'catalogEntity', id }, teamId, fields: { payload }, provenance: { payload: { [WRITER]: 1 } }, vector: { [WRITER]: i + 1 } };
}

/** A page of rows `from` … `from + count - 1`. */
export function catalogPage(from: number, count: number, options: { hasMore?: boolean; epoch?: string } = {}): PullResponse {
  const rows = Array.from({ length: count }, (_, k) => catalogEntityRow(from + k));
  return {
    schemaVersion: SYNC_SCHEMA_VERSION,
    cursor: { epoch: options.epoch ?? '1', xid: String(1000 + from + count), seq: '1' },
    rows,
    tombstones: [],
    scopes: { added: from === 0 ? [{ orgId: BENCH_ORG, teamId: null }] : [], removed: [] },
    records: { conflicts: [], losers: [], rejections: [] },
    horizon: String(10_000_000),
    hasMore: options.hasMore ?? false,
    checksums: [],
  };
}
