/**
 * The browser targets: a Vite dev server for bench/page and headless Debian Chromium (Playwright) with
 * SwiftShader WebGPU, the flags of playwright.config.ts. Every job gets a fresh browser (and so a fresh GPU
 * process): one backend's memory, compiled shaders, or GPU work still queued when a job timed out cannot carry
 * into the next measurement.
 */
import { chromium, type Browser } from '@playwright/test';
import { createServer, type ViteDevServer } from 'vite';
import { fileURLToPath } from 'node:url';
import type { Target } from './args';
import { withTimeout, type Job, type JobResult, type Runner } from './jobs';
import { PROGRESS_PREFIX, type StepEvent } from './measure';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/chromium';
import { CROSS_ORIGIN_ISOLATION } from '../src/security/isolation';


const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PAGE = '/bench/page/index.html';

/** What the page's init() answers. */
export interface PageBackend {
  backend: string;
  tfBackend: string;
  adapter: string | null;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  /** Threads tf.js's WASM backend runs on (1 unless the page is cross-origin isolated); null off wasm. */
  wasmThreads: number | null;
}

export interface BrowserRunner extends Runner {
  /** The engine backends this Chromium can start. */
  available(): Promise<Target[]>;
  /** The backend each target's last job ran on, as the page reported it. */
  backends: Map<Target, PageBackend>;
}

export async function browserRunner(port: number, log: (msg: string) => void): Promise<BrowserRunner> {
  const server: ViteDevServer = await createServer({
    root: ROOT,
    configFile: false,
    cacheDir: 'node_modules/.vite-bench',
    logLevel: 'warn',
    server: { host: '127.0.0.1', port, strictPort: true, headers: CROSS_ORIGIN_ISOLATION },
    optimizeDeps: { entries: [PAGE.slice(1)] },
  });
  await server.listen();
  const base = `http://127.0.0.1:${port}`;
  const launch = () => chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
  const backends = new Map<Target, PageBackend>();

  async function openPage(onStep?: (e: StepEvent) => void) {
    const browser: Browser = await launch();
    const page = await browser.newPage();
    page.on('console', (m) => {
      const text = m.text();
      if (text.startsWith(PROGRESS_PREFIX)) onStep?.(JSON.parse(text.slice(PROGRESS_PREFIX.length)) as StepEvent);
      else if (m.type() === 'error' || m.type() === 'warning') log(`  [page ${m.type()}] ${text.slice(0, 300)}`);
    });
    page.on('pageerror', (e) => log(`  [page error] ${e.message}`));
    await page.goto(`${base}${PAGE}`);
    await page.locator('#status').filter({ hasText: 'ready' }).waitFor({ timeout: 120_000 });
    return { browser, page };
  }

  async function runInPage(browser: Browser, work: Promise<JobResult>, timeoutMs: number): Promise<JobResult> {
    try {
      return await withTimeout(work, timeoutMs, () => void browser.close().catch(() => {}));
    } finally {
      await browser.close().catch(() => {});
    }
  }

  return {
    backends,
    async available() {
      const { browser, page } = await openPage();
      try {
        log(`Chromium ${browser.version()} against Vite on ${base}`);
        return (await page.evaluate(() => window.embeddingBench.available())) as Target[];
      } finally {
        await browser.close();
      }
    },
    async run(target: Target, job: Job, timeoutMs: number, onStep: (e: StepEvent) => void): Promise<JobResult> {
      const { browser, page } = await openPage(onStep);
      const work = (async () => {
        const info = await page.evaluate((t) => window.embeddingBench.init(t), target as 'webgpu' | 'webgl' | 'wasm');
        backends.set(target, info);
        log(`  ${target}: crossOriginIsolated ${info.crossOriginIsolated}, wasm threads ${info.wasmThreads ?? '–'}, ${info.hardwareConcurrency} cores`);
        if (info.tfBackend !== target) throw new Error(`asked for ${target}, tf.js runs on ${info.tfBackend}`);
        if (job.op === 'train') return page.evaluate((spec) => window.embeddingBench.train(spec), job.spec);
        if (job.op === 'embed') {
          return page.evaluate(([spec, b, s, n]) => window.embeddingBench.embed(spec, b, s, n), [job.spec, job.batch, job.seqLen, job.batches] as const);
        }
        return page.evaluate(([spec, top]) => window.embeddingBench.profile(spec, top), [job.spec, job.top] as const);
      })();
      return runInPage(browser, work, timeoutMs);
    },
    async close() {
      await server.close();
    },
  };
}
