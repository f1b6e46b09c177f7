/**
 * Checks that the extension host can load the native SQLite binding before anything requires it.
 * better-sqlite3 13 is built with NAPI_VERSION=10 and declares Node >= 22; on an older host loading
 * it kills the process, so we refuse with a readable message instead. No VS Code import: unit-tested.
 */

/** Node-API version the bundled better-sqlite3 binary is compiled against. */
export const REQUIRED_NAPI_VERSION = 10;
/** Lowest Node major the binary supports. */
export const REQUIRED_NODE_MAJOR = 22;

/** Result of the host check: ok, or a reason fit to show the user. */
export type HostCheck = { ok: true } | { ok: false; reason: string };

/** Decides from `process.versions`-shaped data whether the native binding can load. */
export function checkHost(versions: { node?: string; napi?: string }): HostCheck {
  const napi = Number.parseInt(versions.napi ?? '', 10);
  const nodeMajor = Number.parseInt((versions.node ?? '').split('.')[0] ?? '', 10);
  if (!Number.isFinite(napi) || napi < REQUIRED_NAPI_VERSION) {
    return {
      ok: false,
      reason:
        `Mallard needs an extension host with Node-API ${REQUIRED_NAPI_VERSION} or newer (VS Code 1.101+), ` +
        `but this host has Node ${versions.node ?? 'unknown'} with Node-API ${versions.napi ?? 'unknown'}. Please update VS Code.`,
    };
  }
  if (!Number.isFinite(nodeMajor) || nodeMajor < REQUIRED_NODE_MAJOR) {
    return {
      ok: false,
      reason: `Mallard needs Node ${REQUIRED_NODE_MAJOR} or newer in the extension host, but it runs on Node ${versions.node ?? 'unknown'}. Please update VS Code.`,
    };
  }
  return { ok: true };
}
