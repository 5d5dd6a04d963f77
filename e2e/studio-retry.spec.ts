/**
 * Issue #16 item 1: a retry after a failed run trains. The page passes max length 2 (its form knows the model's
 * positions, not its tokenizer's special tokens), the worker refuses it (the demo model's [CLS] and [SEP] leave no
 * room for text); with the max length fixed, Train again must train, not say "Load a model first." while the model
 * card still shows the model loaded. On WASM (asserted): what it checks is the worker's state, not the backend.
 */
import { expect, test } from '@playwright/test';
import { openDemo } from './demo';

test('a failed run, fixed, trains on the retry', async ({ page }) => {
  await openDemo(page, 'wasm');
  await page.locator('#set-maxSteps').fill('2');
  const maxLength = page.locator('#set-maxLength');
  await maxLength.fill('2');
  const train = page.getByRole('button', { name: 'Train', exact: true });
  await expect(train).toBeEnabled();
  await train.click();
  const status = page.getByTestId('training-status');
  await expect(status).toHaveText('Failed', { timeout: 120_000 });
  await expect(page.getByTestId('training-error')).toContainText(/max length 2 does not fit this model/i);
  await expect(page.getByTestId('model-name')).toHaveText('demo-tiny-bert');

  await maxLength.fill('32');
  await train.click();
  await expect(status).toHaveText('Training complete', { timeout: 300_000 });
  await expect(page.getByTestId('training-error')).toHaveCount(0);
  await expect(page.getByTestId('step-counter')).toHaveText('2 / 2');
});
