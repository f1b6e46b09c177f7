/** The VS Code webview API object; `acquireVsCodeApi` may be called once per page. */
export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;

/** The page's VS Code API, acquired on first use. */
export function vscodeApi(): VsCodeApi {
  api ??= acquireVsCodeApi();
  return api;
}

/** Adds a `<style>` with the page's CSP nonce (the host puts it on `<body data-nonce>`). */
export function addStyle(css: string): void {
  const style = document.createElement('style');
  style.setAttribute('nonce', document.body.dataset.nonce ?? '');
  style.textContent = css;
  document.head.appendChild(style);
}

/** Creates an element with attributes and children; text children are escaped by the DOM. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const child of children) el.append(child);
  return el;
}

/**
 * Request/response bookkeeping on the webview side: each request gets an id; the reply with that
 * id settles its promise. Replies that match no pending request are dropped.
 */
export class RequestTracker {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();

  constructor(private readonly post: (message: unknown) => void) {}

  request(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ type: 'request', id, method, params });
    });
  }

  settle(id: number, ok: boolean, value: unknown): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    if (ok) entry.resolve(value);
    else entry.reject(new Error(typeof value === 'string' ? value : 'request failed'));
  }
}
