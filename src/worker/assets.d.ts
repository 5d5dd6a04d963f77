/** Vite's `?url` imports: the asset's served URL. */
declare module '*.wasm?url' {
  const url: string;
  export default url;
}

/** Vite's `?url` import of a JavaScript file (onnxruntime-web's WASM glue), served as-is. */
declare module '*.mjs?url' {
  const url: string;
  export default url;
}
