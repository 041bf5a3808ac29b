/** The WebAssembly API as the kernels use it (the core's TypeScript libraries do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

/** A kernel's exported memory. */
export interface KernelMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** Grows `memory` (64 KiB pages) to at least `bytes`. */
export function reserve(memory: KernelMemory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
}

/** `x` rounded up to a multiple of `to`. */
export function align(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}

/**
 * An instance of a kernel module (src/core/{count,stats,parallel}/kernels/*.wat, embedded by the build), or null where the
 * runtime cannot run it (no WebAssembly, e.g. V8's --jitless, or no SIMD for a SIMD kernel).
 */
export function instantiate<T>(bytes: Uint8Array): T | null {
  try {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    return new wasm.Instance(new wasm.Module(bytes), {}).exports as T;
  } catch {
    return null;
  }
}

/**
 * A kernel instantiated on first use (`get`, null where the runtime cannot run it) that tests can
 * turn off (`allow(false)`) to check the JavaScript route a module keeps beside it.
 */
export function kernelSwitch<T>(bytes: Uint8Array): { get(): T | null; allow(on: boolean): void } {
  let instance: T | null | undefined;
  let allowed = true;
  return {
    get: () => {
      if (!allowed) return null;
      if (instance === undefined) instance = instantiate<T>(bytes);
      return instance;
    },
    allow: (on: boolean) => {
      allowed = on;
    },
  };
}
