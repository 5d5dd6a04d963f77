/** The opening the studio specs share: the page on SwiftShader's WebGPU (asserted), demo dataset and demo model. */
import { expect, type Page } from '@playwright/test';

/** Opens the studio on WebGPU (`extraQuery`, e.g. 'e2e=1&', goes before `backend=`) with the demo data and model loaded. */
export async function openDemoOnWebGpu(page: Page, extraQuery = ''): Promise<void> {
  await page.goto(`/?${extraQuery}backend=webgpu`);
  await expect(page.getByTestId('backend')).toHaveText(/^webgpu/, { timeout: 120_000 });
  await page.getByRole('button', { name: 'Use the demo dataset' }).click();
  await expect(page.getByTestId('mapping-kept')).toHaveText('520');
  await page.getByRole('button', { name: 'Use the demo model' }).click();
  await expect(page.getByTestId('model-name')).toHaveText('demo-tiny-bert');
}
