/**
 * The logger port. Services receive a `Logger` through their constructor; only the composition root
 * knows it is backed by VS Code's LogOutputChannel. This file imports nothing from VS Code so that
 * non-UI services and tests can use it.
 */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error): void;
}

/** A logger that drops everything; for tests and for services built before the channel exists. */
export const silentLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * Logs a startup-timeline line (the extension bench splits window-open time with them). The line
 * carries its own wall-clock time: VS Code's log channel stamps a line when it reaches the channel,
 * and lines logged while the channel is still being created at startup all get that later time.
 */
export function timeline(logger: Logger, message: string): void {
  logger.info(`Timeline: ${message} @ ${new Date().toISOString()}`);
}

const SECRET_PATTERNS: readonly RegExp[] = [
  // JWTs (Supabase access and refresh tokens) are three base64url segments starting with eyJ.
  /eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}/g,
  // Bearer headers and key=value pairs whose key names a secret.
  /(bearer\s+)[\w.~+/-]+=*/gi,
  /((?:api[_-]?key|token|secret|password|apikey)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi,
];

/** Replaces anything that looks like a token or secret with `«redacted»`. */
export function redact(message: string): string {
  let out = message;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match: string, prefix?: unknown) => (typeof prefix === 'string' ? `${prefix}«redacted»` : '«redacted»'));
  }
  return out;
}
