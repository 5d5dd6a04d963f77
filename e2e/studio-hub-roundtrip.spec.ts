/**
 * From the Hub and back, on the built page (its CSP in force): a dataset served as the Hub's Parquet conversion
 * (e2e/hubRoute.ts: serveHubDatasets, in row groups of 100) is listed and read through the dataset step up to a
 * row limit, the demo model trains on it with evaluations (the run keeps its best checkpoint), the result is
 * published to the fake Hub (servePublishHub) with the dataset named in its card, and the published folder loads
 * back through the model step. Screenshots of the dataset step go to test-results/screenshots/.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { previewPort } from '../playwright.config';
import { parquetFile } from '../tests/helpers/fakeHubDatasets';
import { serveHubDatasets, servePublishHub } from './hubRoute';

const TOKEN = 'hf_e2e_roundtrip_token';
const DATASET = 'e2e-org/support-pairs';

/** The demo's support questions as a Hub dataset with sentence-transformers' column names, in row groups of 100. */
function supportPairs(): Uint8Array {
  const rows = readFileSync('public/demo/dataset.jsonl', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { text: string; text_pos: string });
  return parquetFile([{ name: 'anchor', data: rows.map((r) => r.text) }, { name: 'positive', data: rows.map((r) => r.text_pos) }], 100);
}

test('a Hub Parquet dataset trains, the best checkpoint is published with the dataset in its card, and loads back', async ({ page, context }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  const hub = await servePublishHub(context, { [TOKEN]: 'e2e-user' });
  // Registered last, so asked first; it passes every non-dataset request on to the publishing fake.
  const requests = await serveHubDatasets(context, { [DATASET]: { parquet: { default: { train: [supportPairs()] } } } });

  await page.goto(`http://localhost:${previewPort}/?backend=webgpu`);
  await expect(page.getByTestId('backend')).toHaveText(/^webgpu/, { timeout: 120_000 });
  const picker = page.getByTestId('hub-dataset');
  await picker.getByLabel('Hugging Face dataset id').fill(DATASET);
  await picker.getByRole('button', { name: 'List splits' }).click();
  await expect(picker.getByTestId('hub-dataset-split')).toContainText('default / train');
  await picker.getByTestId('hub-dataset-rows').fill('0');
  await expect(picker.getByTestId('hub-dataset-rows-error')).toContainText('at least 1');
  await expect(picker.getByRole('button', { name: 'Load as training data' })).toBeDisabled();
  await picker.getByTestId('hub-dataset-rows').fill('400');
  await picker.getByRole('button', { name: 'Load as training data' }).click();
  await expect(page.getByTestId('dataset-name')).toHaveText(DATASET, { timeout: 60_000 });
  await expect(page.getByTestId('dataset-hub-split')).toHaveText('default / train');
  await expect(page.getByTestId('dataset-rows')).toHaveText('400 (row limit; the split has more)');
  await expect(page.getByTestId('mapping-kept')).toHaveText('400');
  // The Parquet file is read by Range requests (footer, then row groups up to the limit), never whole.
  const ranges = requests.filter((r) => r.url.endsWith('0000.parquet')).map((r) => r.range);
  expect(ranges.length).toBeGreaterThan(0);
  expect(ranges.every((r) => r !== null && r.startsWith('bytes='))).toBe(true);
  const datasetCard = page.locator('section.card').filter({ has: page.getByRole('heading', { name: 'Dataset', exact: true }) });
  await datasetCard.screenshot({ path: 'test-results/screenshots/hub-dataset.png' });

  await page.getByRole('button', { name: 'Use the demo model' }).click();
  await expect(page.getByTestId('model-name')).toHaveText('demo-tiny-bert');
  await page.locator('#set-maxSteps').fill('6');
  await page.locator('#set-evaluations').fill('3');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('training-status')).toHaveText('Training complete', { timeout: 480_000 });
  const evalChart = page.getByTestId('eval-chart');
  await expect(evalChart).toHaveAttribute('data-first-step', '0');
  const best = Number(await evalChart.getAttribute('data-best-step'));
  expect(Number.isInteger(best)).toBe(true);
  await expect(page.getByTestId('training-kept')).toContainText(best === 0 ? 'base model' : `step ${best}`);

  await page.getByLabel('Include ONNX model for transformers.js (onnx/model.onnx)').uncheck();
  const panel = page.getByTestId('publish-panel');
  await panel.getByTestId('publish-repo').fill('support-from-hub');
  await panel.getByTestId('publish-license').fill('apache-2.0');
  await panel.getByTestId('publish-private').uncheck();
  await panel.getByTestId('publish-token').fill(TOKEN);
  await panel.getByTestId('publish-button').click();
  await expect(panel.getByTestId('publish-link')).toHaveText('e2e-user/support-from-hub', { timeout: 120_000 });
  const card = hub.repos.get('e2e-user/support-from-hub')?.files.get('README.md')?.toString('utf8') ?? '';
  expect(card).toContain(`datasets:\n- "${DATASET}"`);

  const modelCard = page.locator('section.card').filter({ has: page.getByRole('heading', { name: 'Model', exact: true }) });
  await modelCard.getByLabel('Hugging Face model id').fill('e2e-user/support-from-hub');
  await modelCard.getByRole('button', { name: 'Load' }).click();
  await expect(page.getByTestId('model-name')).toHaveText('e2e-user/support-from-hub', { timeout: 60_000 });
  expect(violations).toEqual([]);
});
