/**
 * The studio end to end on SwiftShader WebGPU: (a) the offline demo flow from dataset to exported zip,
 * (d) a malformed file gets a specific error and the page keeps working.
 */
import { expect, test, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { readFile } from 'node:fs/promises';
import { DEMO_TRAINING } from '../src/engine/demo';

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });

async function freshPage(page: Page) {
  await page.goto('/?backend=webgpu');
  await expect(page.getByTestId('backend')).toHaveText(/^webgpu/, { timeout: 120_000 });
}

test('demo flow: dataset → model → train → evaluate → export', async ({ page }) => {
  await freshPage(page);
  await expect(page.getByTestId('where-it-runs')).toContainText('Training runs in this tab on your graphics card (WebGPU');
  await shot(page, 'a1-start');
  await page.getByRole('button', { name: 'Use the demo dataset' }).click();
  await expect(page.getByTestId('dataset-rows')).toHaveText('520');
  await expect(page.getByLabel('Record type')).toHaveValue('pair');
  await expect(page.getByTestId('mapping-kept')).toHaveText('520');
  await page.getByRole('button', { name: 'Use the demo model' }).click();
  await expect(page.getByTestId('model-name')).toHaveText('demo-tiny-bert');
  await expect(page.locator('#set-learningRate')).toHaveValue(String(DEMO_TRAINING.learningRate));
  // SwiftShader runs a step in seconds: a short run keeps the test within budget.
  await page.locator('#set-maxSteps').fill('12');
  await page.locator('#set-evaluations').fill('2');
  await shot(page, 'a2-ready');

  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const bar = page.getByRole('progressbar', { name: /Training progress/ });
  await expect(bar).toHaveAttribute('aria-valuemax', '12');
  await expect(page.getByTestId('training-status')).toHaveText('Training complete', { timeout: 480_000 });
  await expect(bar).toHaveAttribute('aria-valuenow', '12');
  await shot(page, 'a3-trained');

  await page.getByRole('button', { name: 'Evaluate' }).click();
  const table = page.getByTestId('metrics-table');
  const primary = table.locator('tr.primary');
  await expect(primary.locator('[data-col="trained"]')).not.toHaveText('–', { timeout: 120_000 });
  const base = Number(await primary.locator('[data-col="base"]').textContent());
  const tuned = Number(await primary.locator('[data-col="trained"]').textContent());
  expect(tuned).toBeGreaterThan(base);

  // The forgetting guard: the general-domain score before and after, and its verdict.
  const forgetting = page.getByTestId('forgetting-check');
  await expect(forgetting.getByTestId('forgetting-base')).toHaveText(/^Base -?[01]\.\d{4}$/);
  await expect(forgetting.getByTestId('forgetting-trained')).toHaveText(/^Fine-tuned -?[01]\.\d{4}$/);
  await expect(forgetting.getByTestId('forgetting-ok').or(forgetting.getByTestId('forgetting-warning'))).toContainText('General-domain similarity');

  await page.getByLabel('Query', { exact: true }).fill('how do i wipe my tablet');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByTestId('ranking-trained').locator('li')).toHaveCount(8);
  const validationSearched = Number((await page.getByTestId('playground-searched').textContent())?.match(/Ranked ([\d,]+)/)?.[1].replace(/,/g, ''));
  // The whole dataset holds more texts than its validation split.
  await page.getByLabel('The whole dataset').check();
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByTestId('playground-searched')).not.toHaveText(`Ranked ${validationSearched} unique texts.`);
  const datasetSearched = Number((await page.getByTestId('playground-searched').textContent())?.match(/Ranked ([\d,]+)/)?.[1].replace(/,/g, ''));
  expect(datasetSearched).toBeGreaterThan(validationSearched);
  // Pasted texts: exactly those are ranked.
  await page.getByLabel('Texts I paste').check();
  await page.getByLabel('Texts to search, one per line').fill('erase all data on a tablet\nbake bread at home\n\nerase all data on a tablet');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByTestId('playground-searched')).toHaveText('Ranked 2 unique texts.');
  await expect(page.getByTestId('ranking-trained').locator('li')).toHaveCount(2);
  await shot(page, 'a4-evaluated');

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export model' }).click();
  const download = await downloading;
  const zip = unzipSync(new Uint8Array(await readFile(await download.path())));
  const names = Object.keys(zip).map((n) => n.slice(n.indexOf('/') + 1));
  for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'modules.json', '1_Pooling/config.json', 'README.md']) {
    expect(names).toContain(f);
  }
  const readme = new TextDecoder().decode(zip[Object.keys(zip).find((n) => n.endsWith('README.md'))!]);
  expect(readme).toContain('MultipleNegativesRankingLoss');
  await shot(page, 'a5-exported');
});

test('a malformed file shows a specific error and the page keeps working', async ({ page }) => {
  await freshPage(page);
  await page.getByLabel('Dataset file').setInputFiles({ name: 'broken.jsonl', mimeType: 'application/json', buffer: Buffer.from('{"text": "a", "text_pos"\n{oops\n') });
  const error = page.getByTestId('dataset-error');
  await expect(error).toContainText('broken.jsonl');
  await expect(error).toContainText(/line 1/);
  await shot(page, 'd1-malformed');
  await page.getByRole('button', { name: 'Use the demo dataset' }).click();
  await expect(page.getByTestId('dataset-rows')).toHaveText('520');
  await expect(error).toHaveCount(0);
});
