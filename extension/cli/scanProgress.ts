import type { ScanPhase, ScanProgress } from '../scanner/scanTypes';

/**
 * The progress of `mallard scan` on stderr. On a terminal one line is redrawn in place and cleared
 * at the end (the summary follows on stdout). Elsewhere (CI logs, a pipe) each phase prints one
 * line when it has finished, with its completed count and time (`parse 19/19 files (0.31 s)`),
 * plus a line every 10 s during a long phase. A phase has finished when the next one starts, or
 * when the scan ends.
 */

/** Phases whose counts are files. */
const FILE_PHASES: ReadonlySet<ScanPhase> = new Set(['read', 'parse']);
const HEARTBEAT_MS = 10_000;

/** Prints scan progress; `update` for each report, `finish` once when the scan has ended. */
export class ScanProgressPrinter {
  private current: (ScanProgress & { startedAt: number }) | undefined;
  private lastLineAt: number;

  constructor(
    private readonly write: (text: string) => void,
    private readonly isTty: boolean,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.lastLineAt = now();
  }

  /** Records a progress report. */
  update(p: ScanProgress): void {
    const at = this.now();
    if (this.current !== undefined && this.current.phase !== p.phase) this.phaseDone(at);
    if (this.current === undefined || this.current.phase !== p.phase) this.current = { ...p, startedAt: at };
    else this.current = { ...p, startedAt: this.current.startedAt };
    if (this.isTty) this.write(`\r${`mallard: ${counted(p.phase, p.done, p.total)}`.padEnd(48)}`);
    else if (at - this.lastLineAt >= HEARTBEAT_MS && p.total > 0) this.line(`mallard: ${counted(p.phase, p.done, p.total)} …`, at);
  }

  /** The scan has ended: `completed` says whether its last phase finished (not cancelled or failed). */
  finish(completed: boolean): void {
    if (this.current !== undefined && completed) this.phaseDone(this.now());
    this.current = undefined;
    if (this.isTty) this.write(`\r${' '.repeat(48)}\r`);
  }

  private phaseDone(at: number): void {
    const c = this.current;
    if (c === undefined || this.isTty) return;
    // The next phase started, so this one completed all it had to do.
    this.line(`mallard: ${counted(c.phase, c.total, c.total)} (${((at - c.startedAt) / 1000).toFixed(2)} s)`, at);
  }

  private line(text: string, at: number): void {
    this.write(`${text}\n`);
    this.lastLineAt = at;
  }
}

function counted(phase: ScanPhase, done: number, total: number): string {
  if (total <= 0) return phase;
  return `${phase} ${done}/${total}${FILE_PHASES.has(phase) ? (total === 1 ? ' file' : ' files') : ''}`;
}
