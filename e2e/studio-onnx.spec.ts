/**
 * The demo flow exported with its ONNX model: "Try it with transformers.js" loads the exported folder from memory
 * with transformers.js on onnxruntime-web (WASM) in its own worker and embeds the playground query and its top
 * texts; its embeddings and scores equal the engine's within 1e-4, and no request leaves localhost. Then
 * "Export training recipe" zips train.py, requirements.txt, a README and the split as JSONL.
 */
import { expect, test, type Page } from '@playwright/test';
import { openDemoOnWebGpu } from './demo';
import { unzipSync } from 'fflate';
import { readFile } from 'node:fs/promises';

const STEPS = 4;
const QUERY = 'how do i wipe my tablet';

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });

async function downloadZip(page: Page, button: string): Promise<Record<string, Uint8Array>> {
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: button }).click();
  const download = await downloading;
  const zip = unzipSync(new Uint8Array(await readFile(await download.path())));
  // Paths inside the one top folder.
  return Object.fromEntries(Object.entries(zip).map(([name, bytes]) => [name.slice(name.indexOf('/') + 1), bytes]));
}

test('ONNX export runs in transformers.js like the engine; the training recipe zip', async ({ page, context }) => {
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  page.on('request', (r) => requests.push(r.url()));

  await openDemoOnWebGpu(page);
  await page.locator('#set-maxSteps').fill(String(STEPS));
  await page.locator('#set-evaluations').fill('1');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('training-status')).toHaveText('Training complete', { timeout: 480_000 });

  await page.getByLabel('Query', { exact: true }).fill(QUERY);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByTestId('ranking-trained').locator('li')).toHaveCount(8);

  await expect(page.getByLabel('Include ONNX model for transformers.js (onnx/model.onnx)')).toBeChecked();
  const model = await downloadZip(page, 'Export model');
  for (const f of ['onnx/model.onnx', 'config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'README.md']) expect(Object.keys(model)).toContain(f);
  expect(model['onnx/model.onnx'].byteLength).toBeGreaterThan(100_000);
  expect(JSON.parse(new TextDecoder().decode(model['config.json']))['transformers.js_config']).toEqual({ dtype: 'fp32' });
  expect(new TextDecoder().decode(model['README.md'])).toContain("pipeline('feature-extraction'");

  const panel = page.getByTestId('try-onnx');
  await expect(panel.getByLabel('Query for transformers.js')).toHaveValue(QUERY);
  await panel.getByRole('button', { name: 'Run in transformers.js' }).click();
  const summary = page.getByTestId('onnx-summary');
  await expect(summary).toBeVisible({ timeout: 180_000 });
  await expect(page.getByTestId('try-onnx-error')).toHaveCount(0);
  const embeddingDiff = Number(await summary.getAttribute('data-max-embedding-diff'));
  const scoreDiff = Number(await summary.getAttribute('data-max-score-diff'));
  const runtime = await summary.getAttribute('data-runtime');
  console.info(`onnxruntime-web vs engine in the studio: max abs embedding diff ${embeddingDiff.toExponential(2)}, score diff ${scoreDiff.toExponential(2)}; ${runtime}`);
  expect(runtime).toMatch(/^transformers\.js 4\.\S+ · onnxruntime-web \S+ \(wasm, 1 thread\)$/);
  expect(embeddingDiff).toBeGreaterThanOrEqual(0);
  expect(embeddingDiff).toBeLessThan(1e-4);
  expect(scoreDiff).toBeLessThan(1e-4);
  // The rows are the playground's fine-tuned ranking, each score read independently of the summary.
  const rows = page.getByTestId('onnx-scores').locator('tbody tr');
  await expect(rows).toHaveCount(8);
  const ranked = await page.getByTestId('ranking-trained').locator('li .ranked-text').allTextContents();
  expect(await rows.locator('td:first-child').allTextContents()).toEqual(ranked);
  for (const row of await rows.all()) {
    const engine = Number(await row.getAttribute('data-engine'));
    const onnx = Number(await row.getAttribute('data-onnx'));
    expect(Number.isFinite(engine) && Number.isFinite(onnx)).toBe(true);
    expect(Math.abs(engine - onnx)).toBeLessThan(1e-4);
  }
  await shot(page, 'onnx1-try-transformers-js');

  const recipe = await downloadZip(page, 'Export training recipe');
  for (const f of ['train.py', 'requirements.txt', 'README.md', 'data/train.jsonl', 'data/validation.jsonl', 'base-model/config.json']) expect(Object.keys(recipe)).toContain(f);
  const lines = (path: string) => new TextDecoder().decode(recipe[path]).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const train = lines('data/train.jsonl');
  const validation = lines('data/validation.jsonl');
  expect(Object.keys(train[0])).toEqual(['anchor', 'positive']); // sentence-transformers' column names
  expect(Object.keys(validation[0])).toEqual(['anchor', 'positive']);
  expect(train.length + validation.length).toBe(520);
  expect(validation.length).toBe(Math.round(520 * 0.15));
  const trainPy = new TextDecoder().decode(recipe['train.py']);
  expect(trainPy).toContain('BASE_MODEL = "./base-model"');
  expect(trainPy).toContain('MAX_STEPS = 4');
  const readme = new TextDecoder().decode(recipe['README.md']);
  expect(readme).toContain('python train.py');
  expect(readme).toContain('accelerate launch train.py');
  expect(readme).toContain('torchrun');
  await shot(page, 'onnx2-recipe');

  const offsite = requests.filter((url) => !/^(https?:\/\/(localhost|127\.0\.0\.1)(:\d+)?\/|blob:|data:)/.test(url));
  expect(offsite).toEqual([]);
  expect(requests.some((url) => url.includes('ort-wasm-simd-threaded'))).toBe(true);
});
