import { JinjaError } from './lexer';

// `performance` exists in Node, Deno and browsers, but core is type-checked with the ECMAScript
// library only (tsconfig.core.json), which does not declare it.
declare const performance: { now(): number };

/**
 * The work budget of one render: evaluation steps, a wall-clock deadline, a cancellation check and
 * size limits on single values. A template is bad input like any other: a loop of a trillion
 * iterations, a string of a gigabyte or an endless recursion must end as a located diagnostic after
 * bounded work, on whatever thread renders it (a parse worker or the scan thread).
 */

/** How much one render (one model, with its macros, vars and config values) may do. */
export interface RenderBudget {
  /** Evaluation steps: every expression, tag, loop iteration and call, plus bulk work by size. */
  maxSteps: number;
  /** Wall-clock milliseconds; checked every `CHECK_EVERY` steps, so the check costs nothing. */
  maxMillis: number;
  /**
   * Asked every `CHECK_EVERY` steps whether the scan was cancelled; true stops the render with
   * `WorkCancelled`. It must be synchronous: on the scan thread nothing else runs during a render,
   * so it reads state another thread can change (shared memory) or that the caller updates.
   */
  shouldStop?: () => boolean;
  /** Clock in milliseconds (tests may pass a fake one); defaults to `performance.now`. */
  now?: () => number;
}

/**
 * Default budget. 2,000,000 steps take 0.2–0.5 s; real models use a few hundred (the largest in the
 * corpora, a fivetran staging model, about 7,000). The deadline catches what steps undercount (a
 * slow builtin over big values) and stays under the parse workers' 10 s job budget, so a slow
 * render gets this diagnostic rather than a worker time-out.
 */
export const DEFAULT_RENDER_BUDGET: Readonly<RenderBudget> = { maxSteps: 2_000_000, maxMillis: 5_000 };

/** Longest string a template may build (10 M characters; a rendered model is rarely over 100 k). */
export const MAX_STRING_CHARS = 10_000_000;
/** Longest list a template may build (`range()` has the same limit). */
export const MAX_LIST_ITEMS = 1_000_000;

/** Steps between clock and cancellation checks. */
const CHECK_EVERY = 256;
/** Steps granted after an overrun so later refs of the file are still seen; once per render. */
const GRACE_STEPS = 50_000;

/** Thrown when the caller cancelled the work (`RenderBudget.shouldStop`); never a diagnostic. */
export class WorkCancelled extends Error {
  readonly reason = 'cancelled' as const;

  constructor(message = 'cancelled') {
    super(message);
  }

  /** Type guard. */
  static is(err: unknown): err is WorkCancelled {
    return err instanceof WorkCancelled;
  }
}

/** Formats a step count for messages (`2,000,000`). */
function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Counts the steps of one render and enforces its budget. The first overrun throws a `jinja-budget`
 * error and grants a small allowance, so the model's later top-level tags (its refs) still render;
 * the second overrun is final: every later step throws and `stopped` tells the renderer to skip
 * what is left of the file quietly (one more diagnostic per node would say nothing new).
 */
export class StepMeter {
  private steps = 0;
  private limit: number;
  private nextCheck = CHECK_EVERY;
  private deadline: number;
  private overruns = 0;
  private readonly now: () => number;

  constructor(private readonly budget: RenderBudget) {
    this.limit = budget.maxSteps;
    this.now = budget.now ?? (() => performance.now());
    this.deadline = this.now() + budget.maxMillis;
  }

  /** True once the allowance after the first overrun is used up too. */
  get stopped(): boolean {
    return this.overruns >= 2;
  }

  /** Counts one step at template offset `pos`. */
  tick(pos: number): void {
    if (++this.steps >= this.nextCheck) this.check(pos);
  }

  /** Counts `n` steps of bulk work (copying a big list or string) at `pos`. */
  charge(n: number, pos: number): void {
    if (n <= 0) return;
    this.steps += n;
    if (this.steps >= this.nextCheck) this.check(pos);
  }

  private check(pos: number): void {
    this.nextCheck = this.steps + CHECK_EVERY;
    if (this.budget.shouldStop?.() === true) throw new WorkCancelled('rendering cancelled');
    if (this.steps > this.limit) this.overrun(pos, `rendering stopped after ${count(this.budget.maxSteps)} steps`);
    else if (this.now() > this.deadline) this.overrun(pos, `rendering stopped after ${Math.round(this.budget.maxMillis / 100) / 10} s`);
  }

  private overrun(pos: number, what: string): never {
    this.overruns++;
    if (this.overruns === 1) {
      // The allowance: a little more work for the rest of the file, then nothing.
      this.limit = this.steps + GRACE_STEPS;
      this.deadline = this.now() + Math.min(250, this.budget.maxMillis / 10);
      throw new BudgetExceeded(`${what}: this loop, call or recursion does too much work to evaluate (Mallard limits the work per model; the rest of this block is skipped)`, pos, false);
    }
    // Every later step fails at once, so the render unwinds quickly.
    this.limit = -1;
    this.deadline = -Infinity;
    this.nextCheck = this.steps;
    throw new BudgetExceeded('rendering stopped again after the allowance that follows a stop: the rest of this file is not rendered', pos, this.overruns > 2);
  }
}

/** A `jinja-budget` error of the step meter; `repeat` marks those after the final one (not reported). */
export class BudgetExceeded extends JinjaError {
  constructor(
    reason: string,
    offset: number,
    readonly repeat: boolean,
  ) {
    super(reason, offset, 'jinja-budget');
  }
}

/**
 * What to report for an error that ended one top-level tag: the error itself, a located error for
 * a JS failure (a value past V8's size limits, a stack overflow, a bug), or nothing after the final
 * budget overrun. A cancellation is rethrown: it unwinds the whole render and is nobody's fault.
 */
export function renderFailure(err: unknown, pos: number): JinjaError | undefined {
  if (err instanceof WorkCancelled) throw err;
  if (err instanceof BudgetExceeded) return err.repeat ? undefined : err;
  if (err instanceof JinjaError) return err;
  // A value past V8's own limits, built faster than the size checks could see.
  if (err instanceof RangeError && /invalid (string|array) length/i.test(err.message)) return new JinjaError(`a value too large to build (${err.message})`, pos, 'jinja-budget');
  const reason = err instanceof RangeError ? 'expression nests too deeply to evaluate' : `internal error: ${String(err)}`;
  // Too deep for our stack is too deep for dbt's Python too (a recursion error there).
  return new JinjaError(reason, pos, err instanceof RangeError ? 'jinja-recursion' : 'jinja-internal');
}

/** Throws a located `jinja-budget` error when a string of `length` characters would be too long. */
export function checkStringSize(length: number, pos: number): void {
  if (length > MAX_STRING_CHARS) throw new JinjaError(`string of ${count(length)} characters is over the limit of ${count(MAX_STRING_CHARS)}`, pos, 'jinja-budget');
}

/** Throws a located `jinja-budget` error when a list of `items` would be too long. */
export function checkListSize(items: number, pos: number): void {
  if (items > MAX_LIST_ITEMS) throw new JinjaError(`list of ${count(items)} items is over the limit of ${count(MAX_LIST_ITEMS)}`, pos, 'jinja-budget');
}

/**
 * Steps charged for a value a call or filter produced, by size: copying a list or a flat string is
 * real work that one step would undercount, and it bounds how much a render can allocate in all
 * (about 8 M list items or 32 M characters within the default 2 M steps).
 */
export function sizeCost(v: unknown): number {
  if (typeof v === 'string') return v.length >> 4;
  if (Array.isArray(v)) return v.length >> 2;
  if (v instanceof Map) return v.size >> 2;
  return 0;
}
