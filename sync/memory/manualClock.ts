import type { SyncClock } from '../ports';

/**
 * A clock tests drive: time moves only with `advance`, which fires the timers that fall due, in
 * order. Lets the engine's scheduler and backoff be tested without waiting.
 */
export class ManualClock implements SyncClock {
  private time: number;
  private nextHandle = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): unknown {
    const handle = this.nextHandle++;
    this.timers.set(handle, { at: this.time + Math.max(0, ms), fn });
    return handle;
  }

  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Delays (from now) of the timers set, soonest first. */
  pending(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.time).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, firing due timers in order (each after the earlier ones' promises settle a tick). */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
      for (let i = 0; i < 20; i++) await Promise.resolve();
    }
    this.time = end;
  }
}
