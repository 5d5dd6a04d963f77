/**
 * An MPNet model (the oracle's tiny-mpnet, served as a Hub repo by Playwright routing) in the studio: the model
 * step says MPNet and mean pooling, a short run trains it, and its export's onnx/model.onnx runs in transformers.js
 * (onnxruntime-web, in the studio's own worker) to the engine's embeddings and scores within 1e-4.
 */
import { expect, test, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { readFile } from 'node:fs/promises';
import { readRepo, serveRepos } from './hubRoute';

const card = (page: Page, title: string) => page.locator('section.card').filter({ has: page.getByRole('heading', { name: title, exact: true }) });

test('an MPNet folder trains in the studio and its ONNX export runs in transformers.js like the engine', async ({ page }) => {
  test.setTimeout(12 * 60_000);
  const repos = new Map([['org/tiny-mpnet', await readRepo('tests/fixtures/tiny-mpnet/model')]]);
  await serveRepos(page.context(), repos);

  // The family, not the backend, is under test here (e2e/families-parity.spec.ts runs MPNet on WebGPU).
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend')).toHaveText(/^wasm/, { timeout: 120_000 });
  await page.getByRole('button', { name: 'Use the demo dataset' }).click();
  await expect(page.getByTestId('mapping-kept')).toHaveText('520');
  const modelCard = card(page, 'Model');
  await modelCard.getByLabel('Hugging Face model id').fill('org/tiny-mpnet');
  await modelCard.getByRole('button', { name: 'Load' }).click();
  await expect(page.getByTestId('model-name')).toHaveText('org/tiny-mpnet', { timeout: 60_000 });
  await expect(modelCard.getByTestId('model-error')).toHaveCount(0);
  await expect(modelCard.getByTestId('model-family')).toHaveText('MPNet');
  await expect(modelCard.getByTestId('model-pooling')).toContainText('mean of the tokens');
  await modelCard.screenshot({ path: 'test-results/screenshots/mpnet-model-step.png' });

  await page.locator('#set-maxSteps').fill('3');
  await page.locator('#set-evaluations').fill('1');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('training-status')).toHaveText('Training complete', { timeout: 300_000 });

  await page.getByLabel('Query', { exact: true }).fill('how do i wipe my tablet');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByTestId('ranking-trained').locator('li')).toHaveCount(8);
  await expect(page.getByLabel('Include ONNX model for transformers.js (onnx/model.onnx)')).toBeChecked();
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export model' }).click();
  const zip = unzipSync(new Uint8Array(await readFile(await (await downloading).path())));
  const config = Object.entries(zip).find(([name]) => name.endsWith('/config.json') && name.split('/').length === 2);
  expect(config).toBeDefined();
  const saved = JSON.parse(new TextDecoder().decode(config?.[1])) as Record<string, unknown>;
  expect([saved.model_type, saved.architectures]).toEqual(['mpnet', ['MPNetModel']]);
  expect(Object.keys(zip).some((name) => name.endsWith('/onnx/model.onnx'))).toBe(true);
  const panel = page.getByTestId('try-onnx');
  await panel.getByRole('button', { name: 'Run in transformers.js' }).click();
  const summary = page.getByTestId('onnx-summary');
  await expect(summary).toBeVisible({ timeout: 180_000 });
  await expect(page.getByTestId('try-onnx-error')).toHaveCount(0);
  const embeddingDiff = Number(await summary.getAttribute('data-max-embedding-diff'));
  const scoreDiff = Number(await summary.getAttribute('data-max-score-diff'));
  console.info(`MPNet: onnxruntime-web vs engine in the studio: max abs embedding diff ${embeddingDiff.toExponential(2)}, score diff ${scoreDiff.toExponential(2)}`);
  expect(embeddingDiff).toBeGreaterThanOrEqual(0);
  expect(embeddingDiff).toBeLessThan(1e-4);
  expect(scoreDiff).toBeLessThan(1e-4);
  await page.screenshot({ path: 'test-results/screenshots/mpnet-onnx.png', fullPage: true });
});
