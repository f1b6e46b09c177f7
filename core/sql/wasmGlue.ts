/**
 * The JavaScript side of datafusion-sqlparser-rs compiled to WebAssembly
 * (`@guanmingchiu/sqlparser-ts`, Apache-2.0), ported from the glue wasm-bindgen generated for it
 * (`wasm/sqlparser_rs_wasm.js`) and cut down to the two calls Mallard makes. Ported rather than
 * imported because the package's glue keeps one instance per process that cannot be replaced
 * after a trap, loads its `.wasm` through `import.meta.url` (empty in the CommonJS bundles), and
 * prints Rust panics with `console.error`. Here an instance is created from a compiled module the
 * host provides (the port in `sqlEngine.ts`), a panic message is kept for the diagnostic, and a
 * trapped instance is thrown away and created again on the next call.
 *
 * The import names below carry wasm-bindgen's hashes for the exact package version pinned in
 * package.json; `missingImports` compares them with the module so an upgrade that changes them
 * fails at install, not at the first parse.
 */

import { textApi, wasmApi, type WasmImports, type WasmMemory, type WasmModule, type WasmTable } from './wasmApi';

/** The exports of the module that this glue calls. */
interface WasmExports {
  memory: WasmMemory;
  init: () => void;
  parse_sql: (a: number, b: number, c: number, d: number) => [number, number, number];
  __wbindgen_malloc: (size: number, align: number) => number;
  __wbindgen_realloc: (ptr: number, oldSize: number, newSize: number, align: number) => number;
  __wbindgen_free: (ptr: number, size: number, align: number) => void;
  __wbindgen_exn_store: (idx: number) => void;
  __externref_table_alloc: () => number;
  __wbindgen_externrefs: WasmTable;
  __externref_table_dealloc: (idx: number) => void;
  __wbindgen_start: () => void;
}

/** What one call returns: the statements' AST as plain objects, or the parser's error message. */
export type GlueResult = { ast: unknown } | { error: string };

const encoder = new textApi.TextEncoder();
const decoder = new textApi.TextDecoder('utf-8', { ignoreBOM: true, fatal: true });

/** One live instance of the parser module with its memory views. */
export class SqlParserInstance {
  /** @internal */
  readonly exports: WasmExports;
  private bytes: Uint8Array | undefined;
  private view: DataView | undefined;
  private vectorLength = 0;
  /** The last Rust panic message (the module reports it before trapping). */
  panicMessage: string | undefined;

  constructor(module: WasmModule) {
    const instance = new wasmApi.Instance(module, buildImports(() => this));
    this.exports = instance.exports as unknown as WasmExports;
    this.exports.__wbindgen_start();
    // Installs the module's panic hook, which reports through `__wbg_error_…` below.
    this.exports.init();
  }

  /**
   * Parses `sql` with the sqlparser-rs dialect `dialect` into plain objects (serde-wasm-bindgen
   * builds them piece by piece: no AST-sized JSON string is ever allocated). Throws only when the
   * module traps.
   */
  parse(dialect: string, sql: string): GlueResult {
    const ptr0 = this.passString(dialect);
    const len0 = this.vectorLength;
    const ptr1 = this.passString(sql);
    const len1 = this.vectorLength;
    const ret = this.exports.parse_sql(ptr0, len0, ptr1, len1);
    if (ret[2]) {
      // The error is `{ message, line, column }` (line and column are not filled in; the message has them).
      const err = this.takeExternref(ret[1]);
      const message = err !== null && typeof err === 'object' ? (err as { message?: unknown }).message : err;
      return { error: String(message) };
    }
    return { ast: this.takeExternref(ret[0]) };
  }

  /** Bytes of linear memory the instance holds (it grows with the largest statement and never shrinks). */
  memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  /** @internal */
  memory(): Uint8Array {
    if (this.bytes === undefined || this.bytes.byteLength === 0) this.bytes = new Uint8Array(this.exports.memory.buffer);
    return this.bytes;
  }

  /** @internal */
  dataView(): DataView {
    if (this.view === undefined || this.view.buffer !== this.exports.memory.buffer) this.view = new DataView(this.exports.memory.buffer);
    return this.view;
  }

  /** @internal */
  readString(ptr: number, len: number): string {
    const at = ptr >>> 0;
    return decoder.decode(this.memory().subarray(at, at + len));
  }

  /** Copies a string into the module's memory as UTF-8; its byte length is left in `vectorLength`. */
  private passString(value: string): number {
    const malloc = this.exports.__wbindgen_malloc;
    const realloc = this.exports.__wbindgen_realloc;
    let len = value.length;
    let ptr = malloc(len, 1) >>> 0;
    let mem = this.memory();
    let offset = 0;
    for (; offset < len; offset++) {
      const code = value.charCodeAt(offset);
      if (code > 0x7f) break;
      mem[ptr + offset] = code;
    }
    if (offset !== len) {
      const rest = offset === 0 ? value : value.slice(offset);
      ptr = realloc(ptr, len, (len = offset + rest.length * 3), 1) >>> 0;
      mem = this.memory();
      offset += encoder.encodeInto(rest, mem.subarray(ptr + offset, ptr + len)).written;
      ptr = realloc(ptr, len, offset, 1) >>> 0;
    }
    this.vectorLength = offset;
    return ptr;
  }

  private takeExternref(idx: number): unknown {
    const value: unknown = this.exports.__wbindgen_externrefs.get(idx);
    this.exports.__externref_table_dealloc(idx);
    return value;
  }

  /** @internal */
  writeString(at: number, value: string | undefined): void {
    const ptr = value === undefined ? 0 : this.passString(value);
    const len = value === undefined ? 0 : this.vectorLength;
    this.dataView().setInt32(at + 4, len, true);
    this.dataView().setInt32(at, ptr, true);
  }

  /** @internal */
  addExternref(value: unknown): number {
    const idx = this.exports.__externref_table_alloc();
    this.exports.__wbindgen_externrefs.set(idx, value);
    return idx;
  }
}

/**
 * The functions the module imports, under the names wasm-bindgen gave them for this build. They
 * reach the instance through `g` only when called, so building the object needs no instance.
 */
function buildImports(g: () => SqlParserInstance): WasmImports {
  const str = (ptr: number, len: number): string => g().readString(ptr, len);

  const fns: Record<string, (...args: never[]) => unknown> = {
    __wbg_Error_fdd633d4bb5dd76a: (a: number, b: number) => Error(str(a, b)),
    __wbg_Number_c4bdf66bb78f7977: (a: unknown) => Number(a),
    __wbg_String_8564e559799eccda: (at: number, v: unknown) => g().writeString(at, String(v)),
    __wbg___wbindgen_bigint_get_as_i64_d9e915702856f831: (at: number, v: unknown) => {
      const big = typeof v === 'bigint' ? v : undefined;
      g().dataView().setBigInt64(at + 8, big ?? BigInt(0), true);
      g().dataView().setInt32(at, big === undefined ? 0 : 1, true);
    },
    __wbg___wbindgen_boolean_get_edaed31a367ce1bd: (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : 0xffffff),
    __wbg___wbindgen_debug_string_8a447059637473e2: (at: number, v: unknown) => g().writeString(at, debugString(v)),
    __wbg___wbindgen_in_4990f46af709e33c: (a: string, b: object) => a in b,
    __wbg___wbindgen_is_bigint_90b5ccfe67c78460: (v: unknown) => typeof v === 'bigint',
    __wbg___wbindgen_is_null_6d937fbfb6478470: (v: unknown) => v === null,
    __wbg___wbindgen_is_object_0beba4a1980d3eea: (v: unknown) => typeof v === 'object' && v !== null,
    __wbg___wbindgen_is_undefined_721f8decd50c87a3: (v: unknown) => v === undefined,
    __wbg___wbindgen_jsval_eq_4e8c38722cb8ff51: (a: unknown, b: unknown) => a === b,
    // eslint-disable-next-line eqeqeq -- wasm-bindgen's loose equality is JavaScript's `==`.
    __wbg___wbindgen_jsval_loose_eq_4b9aba9e5b3c4582: (a: unknown, b: unknown) => a == b,
    __wbg___wbindgen_number_get_1cc01dd708740256: (at: number, v: unknown) => {
      const n = typeof v === 'number' ? v : undefined;
      g().dataView().setFloat64(at + 8, n ?? 0, true);
      g().dataView().setInt32(at, n === undefined ? 0 : 1, true);
    },
    __wbg___wbindgen_string_get_71bb4348194e31f0: (at: number, v: unknown) => g().writeString(at, typeof v === 'string' ? v : undefined),
    __wbg___wbindgen_throw_ea4887a5f8f9a9db: (a: number, b: number) => {
      throw new Error(str(a, b));
    },
    // The panic hook's report: kept for the diagnostic instead of printed.
    __wbg_error_a6fa202b58aa1cd3: (a: number, b: number) => {
      try {
        g().panicMessage = str(a, b);
      } finally {
        g().exports.__wbindgen_free(a, b, 1);
      }
    },
    __wbg_fromCodePoint_93fb75ffd4cdf384: (a: number) => {
      try {
        return String.fromCodePoint(a >>> 0);
      } catch (err) {
        g().exports.__wbindgen_exn_store(g().addExternref(err));
        return undefined;
      }
    },
    __wbg_get_with_ref_key_6412cf3094599694: (a: Record<string, unknown>, b: string) => a[b],
    __wbg_instanceof_ArrayBuffer_2a7bb09fee70c2da: (v: unknown) => v instanceof ArrayBuffer,
    __wbg_instanceof_Uint8Array_f080092dc70f5d58: (v: unknown) => v instanceof Uint8Array,
    __wbg_isSafeInteger_a3389a198582f5f6: (v: unknown) => Number.isSafeInteger(v),
    __wbg_length_589238bdcf171f0e: (v: { length: number }) => v.length,
    __wbg_new_227d7c05414eb861: () => new Error(),
    __wbg_new_2e117a478906f062: () => ({}),
    __wbg_new_36e147a8ced3c6e0: () => [],
    __wbg_new_81880fb5002cb255: (v: ArrayBuffer) => new Uint8Array(v),
    __wbg_prototypesetcall_d721637c7ca66eb8: (ptr: number, len: number, src: Uint8Array) => {
      g().memory().set(src.subarray(0, len), ptr >>> 0);
    },
    __wbg_set_6be42768c690e380: (o: Record<string, unknown>, k: string, v: unknown) => {
      o[k] = v;
    },
    __wbg_set_dc601f4a69da0bc2: (o: unknown[], i: number, v: unknown) => {
      o[i >>> 0] = v;
    },
    __wbg_stack_3b0d974bbf31e44f: (at: number, e: Error) => g().writeString(at, e.stack ?? ''),
    __wbindgen_cast_0000000000000001: (v: number) => v,
    __wbindgen_cast_0000000000000002: (v: bigint) => v,
    __wbindgen_cast_0000000000000003: (a: number, b: number) => str(a, b),
    __wbindgen_cast_0000000000000004: (v: bigint) => BigInt.asUintN(64, v),
    __wbindgen_init_externref_table: () => {
      const table = g().exports.__wbindgen_externrefs;
      const offset = table.grow(4);
      table.set(0, undefined);
      table.set(offset + 0, undefined);
      table.set(offset + 1, null);
      table.set(offset + 2, true);
      table.set(offset + 3, false);
    },
  };
  return { './sqlparser_rs_wasm_bg.js': fns as unknown as Record<string, unknown> };
}

/** Names of the functions `module` imports that this glue does not provide (empty when they match). */
export function missingImports(module: WasmModule): string[] {
  const glue = buildImports(() => {
    throw new Error('not instantiated');
  })['./sqlparser_rs_wasm_bg.js'];
  const provided = new Set(Object.keys(glue ?? {}));
  return wasmApi.Module.imports(module).filter((i) => i.kind === 'function' && !provided.has(i.name)).map((i) => `${i.module}:${i.name}`);
}

/** wasm-bindgen's description of a value for its debug formatting (panic messages about JS values). */
function debugString(value: unknown): string {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return `"${value}"`;
  if (Array.isArray(value)) return `[${value.map(debugString).join(', ')}]`;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return `Object(${JSON.stringify(value)})`;
  } catch {
    return 'Object';
  }
}
