/** A WebAssembly text module, compiled to its binary by the build (scripts/build.mjs, wabt). */
declare module '*.wat' {
  const bytes: Uint8Array;
  export default bytes;
}
