import { existsSync } from 'node:fs';
import path from 'node:path';
import { parentPort, Worker } from 'node:worker_threads';

/**
 * One worker thread for whole-catalog jobs the extension host must not run on its main thread
 * (docs quality scores, governance evaluation: seconds at 5,000 models). The host posts a request
 * and awaits its reply; the worker answers one request at a time. A crashed worker answers every
 * waiting request with its error and the next request starts a new one. No `vscode`, so tests run
 * the real worker. `serveCatalogJobs` is the worker side.
 */

/** What a job answers: its value, or why it failed. */
export type JobResult<T> = { ok: true; value: T } | { ok: false; error: string };

interface Envelope<Req> {
  id: number;
  request: Req;
}
type ReplyEnvelope<T> = { id: number } & JobResult<T>;

/** The host side: starts the bundled worker `<name>.js` next to this bundle (`<name>.ts` from source in tests). */
export class CatalogJobWorker<Req, Res> {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: JobResult<Res>) => void>();

  constructor(private readonly name: string) {}

  /** Runs `request` in the worker. */
  run(request: Req): Promise<JobResult<Res>> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      worker.postMessage({ id, request } satisfies Envelope<Req>);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const bundled = path.join(__dirname, `${this.name}.js`);
    const worker = existsSync(bundled) ? new Worker(bundled) : new Worker(path.join(__dirname, `${this.name}.ts`), { execArgv: ['--require', 'tsx/cjs'] });
    worker.on('message', (reply: ReplyEnvelope<Res>) => {
      const settle = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      settle?.(reply.ok ? { ok: true, value: reply.value } : { ok: false, error: reply.error });
    });
    const fail = (message: string): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const settle of this.pending.values()) settle({ ok: false, error: message });
      this.pending.clear();
    };
    worker.on('error', (err) => fail(err.message));
    worker.on('exit', (code) => fail(`the ${this.name} worker exited (${code})`));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }
}

/** The worker side: answers each request with `handle`'s value, or its error's message. */
export function serveCatalogJobs<Req, Res>(handle: (request: Req) => Res): void {
  parentPort?.on('message', ({ id, request }: Envelope<Req>) => {
    let reply: ReplyEnvelope<Res>;
    try {
      reply = { id, ok: true, value: handle(request) };
    } catch (err) {
      reply = { id, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    parentPort?.postMessage(reply);
  });
}
