/**
 * The settings step's suggestions in the browser: the learning rate for the model's size with its reason, and
 * "Batch size: auto" answered by the worker's memory estimate (a power of two, with why), overridable by an edit.
 */
import { expect, test } from '@playwright/test';

test('suggested learning rate and Batch size: auto', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend')).toHaveText(/^wasm/, { timeout: 120_000 });
  await page.getByRole('button', { name: 'Use the demo dataset' }).click();
  await expect(page.getByTestId('mapping-kept')).toHaveText('520');
  await page.getByRole('button', { name: 'Use the demo model' }).click();
  await expect(page.getByTestId('model-name')).toHaveText('demo-tiny-bert');

  // The demo model keeps its own rate; the size rule is offered beside it with its reason.
  const lr = page.getByTestId('lr-suggestion');
  await expect(lr).toContainText(/Suggested learning rate 0\.0001: \d+\.\dM parameters \(≤ 80M\): 0\.0001 by uniem's rule/);
  await lr.getByRole('button', { name: 'Use 0.0001' }).click();
  await expect(page.locator('#set-learningRate')).toHaveValue('0.0001');
  await expect(lr).toContainText('In use; edit the field to override.');

  const auto = page.getByTestId('batch-auto');
  await auto.getByRole('button', { name: 'Batch size: auto' }).click();
  await expect(auto).toContainText(/Auto: batch (\d+): the largest power of two the memory estimate allows at length \d+, limited by /);
  const shown = Number((/Auto: batch (\d+)/.exec((await auto.textContent()) ?? '') ?? [])[1]);
  expect(Math.log2(shown) % 1).toBe(0);
  expect(shown).toBeLessThanOrEqual(256);
  await expect(page.locator('#set-batchSize')).toHaveValue(String(shown));
  await page.locator('#set-batchSize').fill('8');
  await expect(auto).not.toContainText('Auto: batch');
});
