import type { ResourceLimits } from 'node:worker_threads';
import type { OpenOptions } from '../catalog/catalogTypes';

/**
 * Resources of the thread that scans a workspace (the extension's scan worker; the scanner bench
 * runs under the same ones). Measured on 5,000 models (`npm run bench -- scan`).
 */

/**
 * SQLite page cache of the scanner's write connection. The scanner mostly appends and reads its
 * parse cache once per file; 32 MB of cache (the store's default, good for the UI's closure
 * queries) was a tenth of the bench's peak RSS for no measurable speed.
 */
export const SCAN_STORE_OPTIONS: OpenOptions = { cacheSizeMb: 8 };

/**
 * V8 heap limits for the thread that scans a workspace (the extension's scan worker).
 *
 * V8 sizes its heap against the isolate's limit: with the default (a quarter of RAM, ~4 GB here)
 * it lets garbage pile up: a 5,000-model scan peaked at 806 MB RSS although its live heap stays
 * under ~220 MB (the warm state is ~140 MB). A limit makes it collect earlier. Too low a limit
 * costs time (GC near the limit) or, past the live size, an out-of-memory exit, which
 * `WorkspaceCatalog` answers by restarting the worker with the limits doubled.
 */
export type HeapLimits = Required<Pick<ResourceLimits, 'maxOldGenerationSizeMb' | 'maxYoungGenerationSizeMb'>>;

/**
 * 5,000 models (`npm run bench -- scan`, three runs each): 320 MB gave a peak RSS of 410-418 MB
 * and edit p95 188-231 ms, 288 MB gave 376-384 MB and 165-200 ms (V8 keeps committing ~1.75x the
 * live heap below the limit; a full GC of the ~140 MB warm state costs ~100 ms either way), 256 MB
 * gave 376 MB but a slower cold scan, 224 MB 345 MB with edits at 228 ms p95.
 */
export const SCAN_HEAP_LIMITS: HeapLimits = {
  maxOldGenerationSizeMb: 288,
  maxYoungGenerationSizeMb: 24,
};

/**
 * Limits of each parse worker besides the dbt contexts it holds (see `parseWorkerLimits`). A worker
 * renders and parses one batch of files at a time, so its live heap is small; parser garbage would
 * otherwise grow its heap to hundreds of MB. A worker that exceeds its limit dies; `WorkerPool`
 * starts the next one with twice the heap (up to `MAX_HEAP_FACTOR`) and runs the batch again, and a
 * file that kills workers twice is skipped with a diagnostic, so the limit costs time, never files.
 */
export const PARSE_HEAP_LIMITS: HeapLimits = {
  maxOldGenerationSizeMb: 96,
  maxYoungGenerationSizeMb: 16,
};

/** How far a worker's heap is doubled after out-of-memory exits (the scan worker's limit too). */
export const MAX_HEAP_FACTOR = 8;

/**
 * Heap of a deserialized context per byte of its `v8.serialize` form: a 100,000-model context is
 * 50 MB serialized and 118 MB of live heap in a worker (2.4x), rounded up.
 */
const CONTEXT_HEAP_PER_SERIALIZED_BYTE = 3;

/**
 * Limits of a parse worker that holds dbt contexts of `contextBytes` serialized bytes: room for the
 * contexts on top of `base`, times `factor` after out-of-memory exits. Without that room, a big
 * project's context alone exceeds the base limit and every worker dies while receiving it.
 * `base` without an old-generation limit (tests: none) stays without one.
 */
export function parseWorkerLimits(base: ResourceLimits, contextBytes: number, factor: number): ResourceLimits {
  if (base.maxOldGenerationSizeMb === undefined) return base;
  const contextMb = Math.ceil((contextBytes * CONTEXT_HEAP_PER_SERIALIZED_BYTE) / 1_000_000);
  return { ...base, maxOldGenerationSizeMb: (base.maxOldGenerationSizeMb + contextMb) * factor };
}

/** `limits` with the old generation multiplied by `factor` (after an out-of-memory exit). */
export function scaledHeapLimits(limits: HeapLimits, factor: number): HeapLimits {
  return { maxOldGenerationSizeMb: limits.maxOldGenerationSizeMb * factor, maxYoungGenerationSizeMb: limits.maxYoungGenerationSizeMb };
}

/** The same limits as V8 flags for a whole process (the scanner benchmark's measuring process). */
export function v8FlagsOf(limits: HeapLimits): string[] {
  // The young generation is three semi-spaces' worth (V8's `YoungGenerationSizeFromSemiSpaceSize`).
  return [`--max-old-space-size=${limits.maxOldGenerationSizeMb}`, `--max-semi-space-size=${Math.max(1, Math.round(limits.maxYoungGenerationSizeMb / 3))}`];
}
