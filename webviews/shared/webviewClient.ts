import type { z } from 'zod';
import { vscodeApi, type VsCodeApi } from './vscodeApi';

/**
 * The webview side of the shared webview host (`extension/ui/webviewHost.ts`): it posts the ready
 * handshake, sends typed requests whose replies are validated against the protocol's result
 * schemas, and hands every other host message to the app. One client per page.
 */

/** A request as a protocol declares it: a method name and its params. */
export interface RequestShape {
  method: string;
  params: unknown;
}

/** The reply shape every Mallard protocol shares. */
export type ResponseShape = { type: 'response'; id: number; ok: true; result: unknown } | { type: 'response'; id: number; ok: false; error: string };

/** What a client needs to know about its protocol. */
export interface ClientSpec<Req extends RequestShape, Results extends { [M in Req['method']]: z.ZodType }, Msg> {
  protocolVersion: number;
  /** Result schema per method; a reply that does not match rejects the request's promise. */
  results: Results;
  /** Validates a raw host message; undefined drops it. */
  parse(raw: unknown): Msg | undefined;
  /** Every host message that is not a response. */
  onMessage(message: Exclude<Msg, ResponseShape>): void;
}

/** A typed connection to the host. `Req` is the union of the protocol's requests. */
export class WebviewClient<Req extends RequestShape, Results extends { [M in Req['method']]: z.ZodType }, Msg extends { type: string }> {
  private readonly api: VsCodeApi = vscodeApi();
  private nextId = 1;
  private readonly pending = new Map<number, { schema: z.ZodType; resolve: (value: unknown) => void; reject: (err: Error) => void }>();

  constructor(private readonly spec: ClientSpec<Req, Results, Msg>) {
    window.addEventListener('message', (event: MessageEvent<unknown>) => this.receive(event.data));
  }

  /** Posts the handshake; call once the app's listeners are in place. */
  ready(): void {
    this.api.postMessage({ type: 'ready', protocolVersion: this.spec.protocolVersion });
  }

  /** Posts a fire-and-forget message (a command). */
  post(message: unknown): void {
    this.api.postMessage(message);
  }

  /** Sends a request; resolves with the validated result, rejects with the host's error. */
  request<M extends Req['method']>(method: M, params: Extract<Req, { method: M }>['params']): Promise<z.infer<Results[M]>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { schema: this.spec.results[method], resolve: resolve as (value: unknown) => void, reject });
      this.api.postMessage({ type: 'request', id, method, params });
    });
  }

  /** The page's persisted UI state (VS Code keeps it while the panel is hidden). */
  get state(): unknown {
    return this.api.getState();
  }

  set state(value: unknown) {
    this.api.setState(value);
  }

  private receive(raw: unknown): void {
    const message = this.spec.parse(raw);
    if (!message) return; // Not ours or malformed: dropped, as the protocols say.
    if (isResponse(message)) {
      const entry = this.pending.get(message.id);
      if (!entry) return;
      this.pending.delete(message.id);
      if (!message.ok) return entry.reject(new Error(message.error));
      const parsed = entry.schema.safeParse(message.result);
      if (parsed.success) entry.resolve(parsed.data);
      else entry.reject(new Error('The host replied with data this view does not understand'));
      return;
    }
    this.spec.onMessage(message as Exclude<Msg, ResponseShape>);
  }
}

function isResponse(message: { type: string }): message is ResponseShape {
  return message.type === 'response';
}

/** `dark`, `light` or `high-contrast`, from the class VS Code puts on `<body>`. */
export type ThemeKind = 'dark' | 'light' | 'high-contrast';

/** The current theme kind. */
export function themeKind(): ThemeKind {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast') || c.contains('vscode-high-contrast-light')) return 'high-contrast';
  return c.contains('vscode-light') ? 'light' : 'dark';
}

/**
 * Calls `listener` when the theme changes. Colours follow on their own (they are CSS variables);
 * this is for what a stylesheet cannot express (colours baked into an export, a canvas minimap).
 */
export function onThemeChange(listener: (kind: ThemeKind) => void): void {
  let last = themeKind();
  new MutationObserver(() => {
    const now = themeKind();
    if (now !== last) listener((last = now));
  }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}
