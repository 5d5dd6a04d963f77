/**
 * (b) A headerless STS file: the studio detects scored pairs (label column 0..5, normalised to 0..1), trains the
 * demo model a few steps, evaluates (Pearson/Spearman, base and fine-tuned), exports a zip, and the engine,
 * loading that zip on its own, gives the cosine scores the playground showed.
 */
import { expect, test } from '@playwright/test';
import { unzipSync } from 'fflate';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROWS = 300;
const STEPS = 4;
const QUERY = 'A man is playing a guitar.';

test('STS scored pairs: mapping, training, evaluation, export that the engine reproduces', async ({ page }) => {
  const lines = (await readFile('tests/fixtures/data/sts-train.csv', 'utf8')).split('\n').slice(0, ROWS);
  const file = join(await mkdtemp(join(tmpdir(), 'sts-')), 'sts-train.csv');
  await writeFile(file, `${lines.join('\n')}\n`);

  await page.goto('/?backend=webgpu');
  await expect(page.getByTestId('backend')).toHaveText(/^webgpu/, { timeout: 120_000 });
  await page.getByLabel('Dataset file').setInputFiles(file);
  await expect(page.getByTestId('dataset-rows')).toHaveText(String(ROWS));
  await expect(page.getByLabel('Record type')).toHaveValue('scored_pair');
  await expect(page.locator('#field-sentence1')).toHaveValue('column6');
  await expect(page.locator('#field-sentence2')).toHaveValue('column7');
  await expect(page.locator('#field-label')).toHaveValue('column5');
  await expect(page.getByTestId('label-scale')).toHaveText('0..5 → 0..1');
  await page.screenshot({ path: 'test-results/screenshots/b1-sts-mapping.png', fullPage: true });

  await page.getByRole('button', { name: 'Use the demo model' }).click();
  await expect(page.getByTestId('model-name')).toHaveText('demo-tiny-bert');
  await page.locator('#set-maxSteps').fill(String(STEPS));
  await page.locator('#set-evaluations').fill('1');
  await expect(page.locator('#set-loss')).toHaveValue('cosent');

  const bar = page.getByRole('progressbar', { name: /Training progress/ });
  // Every value the progress bar takes, recorded in the page as it changes.
  await page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { progressSeen: number[] }).progressSeen = seen;
    new MutationObserver(() => {
      const v = document.querySelector('[aria-label^="Training progress"]')?.getAttribute('aria-valuenow');
      if (v != null && Number(v) !== seen.at(-1)) seen.push(Number(v));
    }).observe(document.body, { subtree: true, attributes: true, childList: true, attributeFilter: ['aria-valuenow'] });
  });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('training-status')).toHaveText('Training complete', { timeout: 300_000 });
  await expect(bar).toHaveAttribute('aria-valuenow', String(STEPS));
  const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
  expect(seen.at(-1)).toBe(STEPS);
  expect(seen.length).toBeGreaterThan(1);
  expect(seen.every((v, i) => i === 0 || v > seen[i - 1])).toBe(true);
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', String(STEPS));
  await page.screenshot({ path: 'test-results/screenshots/b2-sts-trained.png', fullPage: true });

  await page.getByRole('button', { name: 'Evaluate' }).click();
  const table = page.getByTestId('metrics-table');
  for (const metric of ['pearson_cosine', 'spearman_cosine']) {
    for (const col of ['base', 'trained']) await expect(table.locator(`tr[data-metric="${metric}"] [data-col="${col}"]`)).toHaveText(/^-?\d\.\d{4}$/, { timeout: 120_000 });
  }

  await page.getByLabel('Query', { exact: true }).fill(QUERY);
  await page.getByRole('button', { name: 'Search' }).click();
  const items = page.getByTestId('ranking-trained').locator('li');
  await expect(items).toHaveCount(8);
  const shown = await items.evaluateAll((lis) => lis.map((li) => ({ score: Number(li.querySelector('.score')?.textContent), text: li.querySelector('.ranked-text')?.textContent ?? '' })));
  await page.screenshot({ path: 'test-results/screenshots/b3-sts-evaluated.png', fullPage: true });

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export model' }).click();
  const zip = unzipSync(new Uint8Array(await readFile(await (await downloading).path())));
  const folder: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(zip)) if (!name.endsWith('/')) folder[name.slice(name.indexOf('/') + 1)] = Buffer.from(bytes).toString('base64');
  expect(new TextDecoder().decode(zip[Object.keys(zip).find((n) => n.endsWith('README.md'))!])).toContain('CoSENTLoss');

  // The engine alone (CPU backend, in the page) on the exported folder.
  const scores = await page.evaluate(
    async ({ folder, query, texts }) => {
      // Vite serves the engine's sources to the page; the specifiers are built so TypeScript leaves them alone.
      const load = (path: string) => import(/* @vite-ignore */ `/src/engine/${path}`);
      const { initBackend }: typeof import('../src/engine/backend') = await load('backend.ts');
      const { sourceFromRecord }: typeof import('../src/engine/io/fileSource') = await load('io/fileSource.ts');
      const { loadModelFolder }: typeof import('../src/engine/io/modelFolder') = await load('io/modelFolder.ts');
      const { encoderFromFiles }: typeof import('../src/engine/model/load') = await load('model/load.ts');
      const { cosine }: typeof import('../src/engine/eval') = await load('eval/index.ts');
      await initBackend({ order: ['cpu'] });
      const files = Object.fromEntries(Object.entries(folder).map(([p, b64]) => [p, Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))]));
      const encoder = encoderFromFiles(await loadModelFolder(sourceFromRecord(files, 'the exported zip')));
      const [q, ...vectors] = await encoder.embed([query, ...texts]);
      return vectors.map((v) => cosine(q, v));
    },
    { folder, query: QUERY, texts: shown.map((s) => s.text) },
  );
  // Same scores to the displayed precision (3 decimals; half a unit of the last digit, plus float noise).
  scores.forEach((s, i) => expect(Math.abs(s - shown[i].score)).toBeLessThanOrEqual(0.0005 + 2e-5));
  await page.screenshot({ path: 'test-results/screenshots/b4-sts-exported.png', fullPage: true });
});
