import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { contentSecurityPolicy } from './src/security/csp';

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
  server: { host: '127.0.0.1', port: 5173, strictPort: false, ...(e2e ? { hmr: false, watch: null } : {}) },
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
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
