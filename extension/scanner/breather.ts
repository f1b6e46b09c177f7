import { WorkCancelled } from '../../core/dbt/jinja/budget';
import type { WorkControl } from './scanTypes';

/**
 * Long synchronous stretches on the scan thread (planning, rendering every model of a project,
 * parsing a batch inline) pause now and then, so a cancel request, progress and a watcher event get
 * through, and check whether the scan was cancelled. Renders cannot pause (they are synchronous),
 * so they get `stopped` as their budget's `shouldStop`; it also reads `WorkControl.stopRequested`,
 * which another thread can set while this one is busy.
 */
export class Breather {
  private last = performance.now();

  constructor(
    private readonly control: WorkControl,
    /** Longest stretch without a pause, in milliseconds. */
    private readonly everyMs = 50,
  ) {}

  /** Synchronous: was the scan cancelled? (The signal only flips when this thread gets to its events.) */
  readonly stopped = (): boolean => this.control.signal?.aborted === true || this.control.stopRequested?.() === true;

  /** The render options that make a render on this thread stop when the scan is cancelled. */
  get renderOptions(): { budget: { shouldStop: () => boolean } } {
    return { budget: { shouldStop: this.stopped } };
  }

  /** Yields to the event loop once `everyMs` have passed since the last pause; throws when cancelled. */
  async pause(): Promise<void> {
    if (performance.now() - this.last < this.everyMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.last = performance.now();
    this.throwIfStopped();
  }

  /** Throws the signal's reason, or `WorkCancelled` when another thread asked to stop. */
  throwIfStopped(): void {
    this.control.signal?.throwIfAborted();
    if (this.control.stopRequested?.() === true) throw new WorkCancelled('scan cancelled');
  }
}
