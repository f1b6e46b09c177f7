import { ConnectorError } from './connector';

/**
 * gzip decompression for connectors that download archives (GitHub's tarball), runtime-neutral:
 * the runtime's own `DecompressionStream` (WHATWG Compression Streams), which Node (18+), Deno, Bun
 * and browsers all provide natively. `core/` compiles without DOM types, so the global is described
 * structurally here, as `core/sql/wasmApi.ts` does for `TextDecoder` and `WebAssembly`.
 *
 * Why not a JavaScript inflater (fflate, pako): the native one is several times faster and
 * costs no dependency, and on an edge function with ~2 s of CPU per request the difference matters;
 * every runtime Mallard targets has it, so there is no fallback to carry.
 */

interface ChunkReader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
}

interface ChunkWriter {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

interface DecompressionStreamLike {
  readonly writable: { getWriter(): ChunkWriter };
  readonly readable: { getReader(): ChunkReader };
}

type DecompressionStreamCtor = new (format: 'gzip') => DecompressionStreamLike;

/** Inflates a gzip member; a `source-error` ConnectorError when the bytes are not valid gzip. */
export async function gunzip(bytes: Uint8Array, what: string): Promise<Uint8Array> {
  const Ctor = (globalThis as unknown as { DecompressionStream?: DecompressionStreamCtor }).DecompressionStream;
  if (Ctor === undefined) throw new ConnectorError('bad-host', 'This runtime has no DecompressionStream, which reading a gzip archive needs.');
  const stream = new Ctor('gzip');
  const writer = stream.writable.getWriter();
  // Written without awaiting: the stream applies backpressure until the reader below drains it.
  const written = writer.write(bytes).then(() => writer.close());
  written.catch(() => undefined);
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value) {
        chunks.push(value);
        total += value.length;
      }
    }
    await written;
  } catch (err) {
    throw new ConnectorError('source-error', `${what} is not a valid gzip archive: ${err instanceof Error ? err.message : String(err)}`);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
