/**
 * (c) Never lose work: reload the page mid-training, then resume from the last checkpoint. The resumed run starts
 * at the checkpoint's step (not 0), keeps the history from before the reload and ends at the planned total.
 */
import { expect, test } from '@playwright/test';
import { openDemoOnWebGpu } from './demo';

test('reload mid-training and resume from the checkpoint', async ({ page }) => {
  await openDemoOnWebGpu(page);
  await page.locator('#set-maxSteps').fill('6');
  await page.locator('#set-evaluations').fill('2');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const status = page.getByTestId('training-status');
  // A 6-step run checkpoints after every step; reload once at least two are saved.
  await expect(status).toHaveAttribute('data-checkpoint', /^[2-5]$/, { timeout: 300_000 });
  await page.reload();

  await expect(page.getByRole('button', { name: 'Resume training' })).toBeVisible({ timeout: 180_000 });
  await expect(page.getByTestId('dataset-rows')).toHaveText('520');
  await expect(page.getByTestId('model-name')).toHaveText('demo-tiny-bert');
  const checkpoint = Number(await status.getAttribute('data-checkpoint'));
  expect(checkpoint).toBeGreaterThanOrEqual(2);
  expect(checkpoint).toBeLessThan(6);
  const bar = page.getByRole('progressbar', { name: /Training progress/ });
  const chart = page.getByTestId('loss-chart');
  await expect(bar).toHaveAttribute('aria-valuemax', '6');
  await expect(bar).toHaveAttribute('aria-valuenow', String(checkpoint));
  await expect(chart).toHaveAttribute('data-points', String(checkpoint));
  await expect(chart).toHaveAttribute('data-contiguous', 'true');
  await page.screenshot({ path: 'test-results/screenshots/c1-after-reload.png', fullPage: true });

  await page.getByRole('button', { name: 'Resume training' }).click();
  await expect(status).toHaveText('Training complete', { timeout: 300_000 });
  await expect(status).toHaveAttribute('data-start-step', String(checkpoint));
  await expect(bar).toHaveAttribute('aria-valuenow', '6');
  await expect(chart).toHaveAttribute('data-points', '6');
  await expect(chart).toHaveAttribute('data-last-step', '6');
  await expect(chart).toHaveAttribute('data-contiguous', 'true');
  await page.screenshot({ path: 'test-results/screenshots/c2-resumed.png', fullPage: true });
});
