/**
 * How many of the bytes a sync message spends on clocks, measured on messages as they travel (either
 * wire version), for `scripts/bench/sync.ts`. The target: clock metadata ≤ 10 % of row bytes.
 *
 * Counted as clock metadata: a row's version vector and per-field provenance (full: `vector`,
 * `provenance`; compact: `v`, `d`, `p`), a tombstone's vector, the message's replica dictionary
 * (`replicas`), and in pushes each op's `vector` and `replicaId`. `percent` counts their values only,
 * as the benchmark always did (so figures of both versions compare); `percentWithKeys` also counts
 * the property names that carry them, the stricter measure.
 */

/** Clock bytes against row (or op) bytes. */
export interface ClockShare {
  items: number;
  rowBytes: number;
  clockBytes: number;
  percent: number;
  percentWithKeys: number;
}

const round2 = (v: number) => Math.round(v * 100) / 100;
const len = (v: unknown) => (v === undefined ? 0 : JSON.stringify(v).length);
/** `"key":` plus the comma before it. */
const keyLen = (key: string) => key.length + 4;

type Obj = Record<string, unknown>;

class Tally {
  items = 0;
  rowBytes = 0;
  clockBytes = 0;
  keyBytes = 0;

  /** A message's dictionary counts as clock bytes, and as row bytes (it is sent for the rows). */
  dictionary(message: Obj): void {
    if (message.replicas === undefined) return;
    this.rowBytes += len(message.replicas);
    this.clockBytes += len(message.replicas);
    this.keyBytes += keyLen('replicas');
  }

  item(item: Obj, clockKeys: string[]): void {
    this.items += 1;
    this.rowBytes += len(item);
    for (const key of clockKeys) {
      if (item[key] === undefined) continue;
      this.clockBytes += len(item[key]);
      this.keyBytes += keyLen(key);
    }
  }

  result(): ClockShare {
    const rowBytes = Math.max(1, this.rowBytes);
    return {
      items: this.items,
      rowBytes: this.rowBytes,
      clockBytes: this.clockBytes,
      percent: round2((100 * this.clockBytes) / rowBytes),
      percentWithKeys: round2((100 * (this.clockBytes + this.keyBytes)) / rowBytes),
    };
  }
}

const ROW_CLOCK = ['vector', 'provenance', 'v', 'd', 'p'];

/** Share over the rows (and, with `tombstones`, the tombstones) of raw pull pages. */
export function pageClockShare(pages: unknown[], options: { tombstones?: boolean } = {}): ClockShare {
  const tally = new Tally();
  for (const page of pages as Obj[]) {
    tally.dictionary(page);
    for (const row of page.rows as Obj[]) tally.item(row, ROW_CLOCK);
    if (options.tombstones === true) for (const t of page.tombstones as Obj[]) tally.item(t, ROW_CLOCK);
  }
  return tally.result();
}

/** Share over the ops of raw push requests. */
export function pushClockShare(requests: unknown[]): ClockShare {
  const tally = new Tally();
  for (const request of requests as Obj[]) {
    tally.dictionary(request);
    for (const op of request.ops as Obj[]) tally.item(op, ['vector', 'replicaId']);
  }
  return tally.result();
}
