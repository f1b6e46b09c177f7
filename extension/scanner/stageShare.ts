import type { DbtNodeResult } from '../../core/dbt/api';
import type { ParseJob } from './parseJobs';

/**
 * What a first scan's model-level stage and its parse share, so no dbt node is rendered twice. The
 * stage renders on the scan thread from the last node backwards while the workers render and parse
 * from the first one forwards:
 * - a node whose job no worker has taken yet is rendered by the stage, and the render goes to the
 *   worker with the job (`attach`): the worker only parses it;
 * - a node whose job a worker took is not rendered by the stage: it waits for that job's result
 *   (`whenStored`) and takes the model level from it.
 * Everything runs on the scan thread's event loop, so a job is either still waiting (and carries
 * the render when it is sent) or already taken, never half of each.
 */
export class StageShare {
  /**
   * The parse's jobs by path that no worker has taken yet, set by `computeResults` before it runs
   * them. A job leaves when it is taken (its text and render are the pool's to drop once done).
   */
  readonly jobs = new Map<string, ParseJob>();
  private readonly taken = new Set<string>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private ended = false;
  /** Renders the stage handed to jobs, and nodes whose model level came from a worker's result. */
  handedOver = 0;
  fromWorkers = 0;

  /** The pool (or the inline runner) takes these jobs now. */
  readonly onTake = (jobs: readonly ParseJob[]): void => {
    for (const job of jobs) {
      this.jobs.delete(job.path);
      this.taken.add(job.path);
    }
  };

  /** The job of `path` if no worker has taken it yet. */
  waitingJob(path: string): ParseJob | undefined {
    return this.jobs.get(path);
  }

  /** True when a worker took the job of `path` (its result will be stored). */
  isTaken(path: string): boolean {
    return this.taken.has(path);
  }

  /** The stage is done: it hands nothing over any more, and holds no job. */
  release(): void {
    this.jobs.clear();
  }

  /**
   * Hands a render of the stage to its waiting job. Not a render a budget cut short: how far a
   * render gets within its time budget depends on the thread, and the worker's own render decides.
   */
  attach(job: ParseJob, node: DbtNodeResult): void {
    if (job.kind !== 'dbt' || node.diagnostics.some((d) => d.code === 'jinja-budget')) return;
    job.rendered = node;
    this.handedOver++;
  }

  /** The result of `path` is stored. */
  stored(path: string): void {
    const waiting = this.waiters.get(path);
    if (!waiting) return;
    this.waiters.delete(path);
    for (const wake of waiting) wake();
  }

  /** The parse ended (all results stored, or it failed): nobody waits any longer. */
  end(): void {
    this.ended = true;
    for (const waiting of this.waiters.values()) for (const wake of waiting) wake();
    this.waiters.clear();
  }

  /** Settles once the result of `path` is stored (`has` says whether it is already) or the parse ended. */
  whenStored(path: string, has: () => boolean): Promise<void> {
    if (this.ended || has()) return Promise.resolve();
    return new Promise((resolve) => {
      const waiting = this.waiters.get(path) ?? [];
      waiting.push(resolve);
      this.waiters.set(path, waiting);
    });
  }
}
