/**
 * The part of the WebAssembly and text-encoding APIs that the SQL engine uses, typed here because
 * `core/` is type-checked with the ECMAScript library only (no DOM, no Node types; see
 * tsconfig.core.json), while every runtime Mallard runs in — Node, Deno, browsers and their workers —
 * provides these globals. Reading them through `globalThis` keeps that check meaningful: nothing
 * else from the DOM or Node leaks into `core/`.
 */

/** A compiled WebAssembly module (opaque). */
export interface WasmModule {
  readonly __wasmModule?: never;
}

/** A module's linear memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** A table of references (wasm-bindgen's externref table). */
export interface WasmTable {
  grow(delta: number): number;
  get(index: number): unknown;
  set(index: number, value: unknown): void;
}

/** What a module imports, by module then name. */
export type WasmImports = Record<string, Record<string, unknown>>;

interface WasmGlobal {
  Module: {
    new (bytes: Uint8Array<ArrayBuffer>): WasmModule;
    imports(module: WasmModule): { module: string; name: string; kind: string }[];
  };
  Instance: new (module: WasmModule, imports: WasmImports) => { exports: Record<string, unknown> };
}

interface TextGlobals {
  TextEncoder: new () => { encode(text: string): Uint8Array<ArrayBuffer>; encodeInto(text: string, into: Uint8Array): { read: number; written: number } };
  TextDecoder: new (label: string, options: { ignoreBOM: boolean; fatal: boolean }) => { decode(bytes: Uint8Array): string };
}

/** The runtime's `WebAssembly` namespace. */
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;

/** The runtime's `TextEncoder` and `TextDecoder`. */
export const textApi = globalThis as unknown as TextGlobals;

/** True when `value` is a compiled module of this runtime. */
export function isWasmModule(value: unknown): value is WasmModule {
  return value instanceof (wasmApi.Module as unknown as new () => object);
}
