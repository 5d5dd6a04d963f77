/**
 * WebGPU device loss mid-training (simulated: the worker destroys its device on a test-only request, allowed by
 * ?e2e=1): training stops with an explanation, the last checkpoint is kept, and the run resumes on WASM to the end.
 */
import { expect, test } from '@playwright/test';
import { openDemoOnWebGpu } from './demo';

const STEPS = 8;

test('a lost GPU device stops training with advice; the run resumes on WASM', async ({ page }) => {
  await openDemoOnWebGpu(page, 'e2e=1&');
  await page.locator('#set-maxSteps').fill(String(STEPS));
  await page.locator('#set-evaluations').fill('0');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const status = page.getByTestId('training-status');
  await expect(status).toHaveAttribute('data-checkpoint', /^[2-9]$/, { timeout: 300_000 });

  await page.evaluate(() => window.studioTest?.loseDevice());
  const error = page.getByTestId('training-error');
  await expect(error).toContainText('the GPU device was lost', { timeout: 120_000 });
  await expect(error).toContainText(/checkpoint at step \d is kept/);
  await expect(error).toContainText('smaller batch size');
  const checkpoint = Number(await status.getAttribute('data-checkpoint'));
  expect(checkpoint).toBeLessThan(STEPS);
  await expect(error).toContainText(`checkpoint at step ${checkpoint} is kept`);
  await expect(status).toHaveText(`Failed · checkpoint at step ${checkpoint} kept`);
  await page.screenshot({ path: 'test-results/screenshots/e1-device-lost.png', fullPage: true });

  // After GPU trouble the studio proposes WASM.
  await expect(page.getByLabel('Resume on backend')).toHaveValue('wasm');
  await page.getByRole('button', { name: 'Resume training' }).click();
  await expect(page.getByTestId('backend')).toHaveText(/^wasm/, { timeout: 60_000 });
  await expect(page.getByTestId('where-it-runs')).toContainText('Training runs in this tab on your processor (WebAssembly');
  await expect(status).toHaveText('Training complete', { timeout: 300_000 });
  await expect(status).toHaveAttribute('data-start-step', String(checkpoint));
  await expect(error).toHaveCount(0);
  const chart = page.getByTestId('loss-chart');
  await expect(chart).toHaveAttribute('data-points', String(STEPS));
  await expect(chart).toHaveAttribute('data-contiguous', 'true');
  await page.screenshot({ path: 'test-results/screenshots/e2-resumed-on-wasm.png', fullPage: true });
});
