/**
 * The Content-Security-Policy of the built studio (injected into index.html at build time; Vite's dev server
 * needs inline scripts and is not covered). Everything runs locally: the only network requests go to the
 * Hugging Face Hub, for a model the user asked for, the hosts it redirects downloads to, and the storage hosts a
 * publish uploads large files to.
 */

/** Hosts a Hub download may touch: the Hub itself and its file CDNs (LFS and Xet storage). */
export const HUB_HOSTS: readonly string[] = ['https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co'];

/**
 * Where publishing sends a model's large files. src/worker/publish.ts uses the classic LFS transfer (useXet off),
 * so the Hub's batch API answers each object with a pre-signed S3 PUT URL (and, for a multipart upload, part URLs
 * on the same bucket; the completion URL is on huggingface.co): the accelerated LFS bucket, or the older
 * path-style s3.amazonaws.com/lfs.huggingface.co/…. Only these two S3 hosts, not *.amazonaws.com. Small files
 * and the commit itself go to huggingface.co.
 */
export const HUB_UPLOAD_HOSTS: readonly string[] = ['https://hf-hub-lfs-us-east-1.s3-accelerate.amazonaws.com', 'https://s3.amazonaws.com'];

/** Directive → sources. */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  // No inline script and no eval; 'wasm-unsafe-eval' only because tf.js's WASM backend compiles WebAssembly.
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  // blob: only for tf.js's threaded WASM build, which starts its thread-pool workers from a Blob of its own code.
  'worker-src': ["'self'", 'blob:'],
  'connect-src': ["'self'", ...HUB_HOSTS, ...HUB_UPLOAD_HOSTS],
  // recharts and React set style attributes; no stylesheet is loaded from elsewhere.
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
};

export function contentSecurityPolicy(directives: Readonly<Record<string, readonly string[]>> = CSP_DIRECTIVES): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}
