import type { SyncClock } from '../../sync/ports';

/** The sync engine's clock on Node: real time and timers that do not keep the process alive. */
export const nodeClock: SyncClock = {
  now: () => Date.now(),
  setTimer: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    // A scheduled sync must not keep the CLI or a closing worker running.
    timer.unref();
    return timer;
  },
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
