/**
 * Response headers that make the studio cross-origin isolated, so `SharedArrayBuffer` exists and tf.js's
 * WASM backend loads its threaded build (XNNPACK then runs matMuls and elementwise kernels on every core).
 * `require-corp` only restricts no-cors subresources from other origins; the studio loads none, and its
 * Hub downloads are CORS requests, which the Hub answers with the CORS headers they need.
 * A static host must send the same two headers for threads (see README, "Hosting").
 */
export const CROSS_ORIGIN_ISOLATION: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
