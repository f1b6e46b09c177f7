/**
 * Secrets at rest (org LLM keys, connector credentials): AES-256-GCM with a project key that lives
 * only in the functions' environment, never in Postgres. `MALLARD_SECRET_KEYS` is a JSON object of
 * key versions to base64 32-byte keys (`{"1":"…","2":"…"}`); new secrets use the highest version and
 * store it beside the ciphertext (`key_version`), so keys rotate without re-encrypting at once.
 * The stored bytes are a 12-byte random IV followed by the ciphertext and tag. The org id is bound as
 * additional data, so a ciphertext copied to another organization's row does not decrypt.
 */

import { SyncError } from '../../core/sync/errors';

interface KeyRing {
  current: number;
  keys: Map<number, Uint8Array<ArrayBuffer>>;
}

let ring: KeyRing | undefined;

function base64Bytes(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The key ring from the environment; `internal` (not configured) when absent or malformed. */
function keyRing(): KeyRing {
  if (ring !== undefined) return ring;
  const text = Deno.env.get('MALLARD_SECRET_KEYS') ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const keys = new Map<number, Uint8Array<ArrayBuffer>>();
  if (typeof parsed === 'object' && parsed !== null) {
    for (const [version, key] of Object.entries(parsed)) {
      const v = Number(version);
      if (Number.isInteger(v) && v > 0 && typeof key === 'string') {
        const bytes = base64Bytes(key);
        if (bytes.length === 32) keys.set(v, bytes);
      }
    }
  }
  if (keys.size === 0) throw new SyncError('internal', 'Secrets cannot be stored: MALLARD_SECRET_KEYS is not configured on the functions.');
  ring = { current: Math.max(...keys.keys()), keys };
  return ring;
}

async function aesKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/** Encrypts `plaintext` for organization `orgId` with the current key. */
export async function sealSecret(plaintext: string, orgId: string): Promise<{ ciphertext: Uint8Array; keyVersion: number }> {
  const { current, keys } = keyRing();
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await aesKey(keys.get(current) as Uint8Array<ArrayBuffer>);
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(orgId) }, key, new TextEncoder().encode(plaintext)));
  const out = new Uint8Array(iv.length + sealed.length);
  out.set(iv);
  out.set(sealed, iv.length);
  return { ciphertext: out, keyVersion: current };
}

/** Decrypts what `sealSecret` stored; `internal` when the key version is gone or the bytes were altered or moved. */
export async function openSecret(ciphertext: Uint8Array<ArrayBuffer>, keyVersion: number, orgId: string): Promise<string> {
  const raw = keyRing().keys.get(keyVersion);
  if (raw === undefined) throw new SyncError('internal', `Secret key version ${keyVersion} is no longer configured; re-enter the secret.`);
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: ciphertext.slice(0, 12), additionalData: new TextEncoder().encode(orgId) },
      await aesKey(raw),
      ciphertext.slice(12),
    );
    return new TextDecoder().decode(plain);
  } catch {
    throw new SyncError('internal', 'A stored secret does not decrypt (altered, or sealed for another organization); re-enter it.');
  }
}

/** A masked form for lists: the last four characters only (`••••abcd`); short secrets show no characters. */
export function maskSecret(plaintext: string): string {
  return plaintext.length >= 12 ? `••••${plaintext.slice(-4)}` : '••••';
}
