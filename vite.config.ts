import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { contentSecurityPolicy } from './src/security/csp';
import { CROSS_ORIGIN_ISOLATION } from './src/security/isolation';

/** Puts the studio's Content-Security-Policy into the built index.html (the dev server needs inline scripts). */
function cspMeta(): Plugin {
  return {
    name: 'embedding-studio-csp',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy() }, injectTo: 'head-prepend' },
    ],
  };
}

/** The e2e server (E2E=1) neither watches files nor hot-reloads: a reload would kill a long training test. */
const e2e = process.env.E2E === '1';

export default defineConfig({
  plugins: [react(), cspMeta()],
  // Cross-origin isolation (COOP/COEP) lets tf.js's WASM backend run on every core (src/security/isolation.ts).
  server: { host: '127.0.0.1', port: 5173, strictPort: false, headers: CROSS_ORIGIN_ISOLATION, ...(e2e ? { hmr: false, watch: null } : {}) },
  preview: { headers: CROSS_ORIGIN_ISOLATION },
  optimizeDeps: {
    // Pre-bundled up front (pages and the worker), so a late discovery never reloads a page mid-test.
    entries: ['index.html', 'e2e/harness/index.html', 'src/worker/trainingWorker.ts', 'src/worker/transformersWorker.ts'],
    include: [
      '@tensorflow/tfjs',
      '@tensorflow/tfjs-backend-webgpu',
      '@tensorflow/tfjs-backend-wasm',
      '@huggingface/tokenizers',
      'papaparse',
      'react',
      'react-dom',
      'react-dom/client',
      'zustand',
      'recharts',
      'fflate',
      '@huggingface/transformers',
    ],
  },
  // tf.js's threaded WASM build starts its thread-pool workers from `factory.toString()`: mangled or compressed
  // code would point that source at variables that do not exist inside the new worker (checked by
  // e2e/csp.spec.ts on the built page), so the worker bundle is only stripped of whitespace.
  worker: { format: 'es', rolldownOptions: { output: { minify: { mangle: false, compress: false } } } },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    // fast-check properties run from one seed, printed once (tests/setup/); `npm run fuzz` draws a new one.
    globalSetup: ['tests/setup/globalSeed.ts'],
    setupFiles: ['tests/setup/fastCheck.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
