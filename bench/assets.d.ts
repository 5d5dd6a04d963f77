/** Vite's `?url` imports: the asset's served URL. */
declare module '*.wasm?url' {
  const url: string;
  export default url;
}
