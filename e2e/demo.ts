/** The opening the studio specs share: the page on SwiftShader's WebGPU (asserted), demo dataset and demo model. */
import { expect, type Page } from '@playwright/test';

/** Opens the studio on WebGPU (`extraQuery`, e.g. 'e2e=1&', goes before `backend=`) with the demo data and model loaded. */
export function openDemoOnWebGpu(page: Page, extraQuery = ''): Promise<void> {
  return openDemo(page, 'webgpu', extraQuery);
}

/** Opens the studio on `backend` (asserted) with the demo data and model loaded. */
export async function openDemo(page: Page, backend: 'webgpu' | 'wasm', extraQuery = ''): Promise<void> {
  await page.goto(`/?${extraQuery}backend=${backend}`);
  await expect(page.getByTestId('backend')).toHaveText(new RegExp(`^${backend}`), { timeout: 120_000 });
  await page.getByRole('button', { name: 'Use the demo dataset' }).click();
  await expect(page.getByTestId('mapping-kept')).toHaveText('520');
  await page.getByRole('button', { name: 'Use the demo model' }).click();
  await expect(page.getByTestId('model-name')).toHaveText('demo-tiny-bert');
}
