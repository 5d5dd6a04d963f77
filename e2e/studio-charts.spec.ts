/**
 * The training charts (issue #16 item 9): legends and axis titles, the charts named for assistive tech, the
 * validation chart starting at step 0 with the base model's score and its best point marked, a partial last batch marked. On WASM: what
 * it checks is the charts, not the backend.
 */
import { expect, test } from '@playwright/test';
import { openDemo } from './demo';

test('training charts: legends, axis titles, base score at step 0, partial batch marked', async ({ page }) => {
  await openDemo(page, 'wasm');

  // The base model's score, known before training: the validation chart's step 0.
  await page.getByRole('button', { name: 'Evaluate' }).click();
  const table = page.getByTestId('metrics-table');
  await expect(table.locator('tr.primary [data-col="base"]')).not.toHaveText('–', { timeout: 120_000 });
  const baseText = (await table.locator('tr.primary [data-col="base"]').textContent()) ?? '';

  // A batch size that ends the first epoch within the run, with a partial last batch.
  await page.locator('#set-batchSize').fill('64');
  await page.locator('#set-maxSteps').fill('8');
  await page.locator('#set-evaluations').fill('2');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('training-status')).toHaveText('Training complete', { timeout: 300_000 });

  const loss = page.getByTestId('loss-chart');
  const evals = page.getByTestId('eval-chart');
  await expect(loss.locator('.recharts-legend-item-text', { hasText: 'loss per step' })).toBeVisible();
  await expect(loss.locator('.recharts-legend-item-text', { hasText: 'smoothed' })).toBeVisible();
  await expect(loss.locator('.recharts-label', { hasText: /^step$/ })).toBeVisible();
  await expect(loss.locator('.recharts-label', { hasText: /^loss$/ })).toBeVisible();
  await expect(loss.getByRole('img', { name: /Training loss per step/ })).toBeVisible();
  await expect(loss.getByRole('slider', { name: 'Smoothing' })).toHaveValue('0.6');

  await expect(evals).toHaveAttribute('data-first-step', '0');
  const metric = ((await evals.locator('figcaption').textContent()) ?? '').replace(/^Validation /, '').replace(/ · best at step .*$/, '');
  await expect(evals.locator('.recharts-label', { hasText: new RegExp(`^${metric}$`) })).toBeVisible();
  await expect(evals.locator('.recharts-legend-item-text', { hasText: 'step 0: base model' })).toBeVisible();
  await expect(evals.getByRole('img', { name: new RegExp(`step 0 ${baseText.trim().slice(0, 5)}`) })).toBeVisible();
  expect(Number(await evals.getAttribute('data-points'))).toBeGreaterThanOrEqual(3);

  // The best point (the weights the run keeps) is marked, and the train step says which checkpoint is kept.
  const bestStep = await evals.getAttribute('data-best-step');
  expect(bestStep).toMatch(/^\d+$/);
  await expect(evals.getByTestId('eval-best')).toHaveText(new RegExp(`best at step ${bestStep} \\(`));
  await expect(evals.locator('.recharts-reference-dot')).toHaveCount(2); // the base model at step 0 and the best
  await expect(page.getByTestId('training-kept')).toContainText('Export takes this checkpoint');

  const partial = Number(await loss.getAttribute('data-partial'));
  console.log(`partial batches: ${partial}, base ${metric} ${baseText}`);
  expect(partial).toBeGreaterThan(0);
  await expect(loss.locator('.recharts-legend-item-text', { hasText: 'partial batch' })).toBeVisible();

  await page.locator('.charts').screenshot({ path: 'test-results/screenshots/charts.png' });
});
