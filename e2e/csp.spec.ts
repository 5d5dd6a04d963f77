/**
 * The built studio (what `vite build` ships) runs under its Content-Security-Policy: the demo dataset and the
 * demo model load in the worker, on WebGPU when asked for, with no CSP violation; on its own choice (no
 * hardware GPU here) it trains on threaded WASM, and a short run exported with its ONNX model runs in
 * transformers.js (onnxruntime-web's .mjs and .wasm served by the app itself, no blob: script).
 */
import { expect, test } from '@playwright/test';
import { previewPort } from '../playwright.config';

test('the built page works under its Content-Security-Policy', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  await page.goto(`http://localhost:${previewPort}/?backend=webgpu`);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");

  await page.getByRole('button', { name: 'Use the demo dataset' }).click();
  await page.getByRole('button', { name: 'Use the demo model' }).click();
  await expect(page.getByText('demo-tiny-bert').first()).toBeVisible({ timeout: 120_000 });
  await expect(page.getByText(/^webgpu — /)).toBeVisible({ timeout: 120_000 });
  await expect(page.getByText('93 k')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/csp-built-page.png', fullPage: true });
  expect(violations).toEqual([]);
});

test('without a hardware GPU the built page trains on multi-threaded WASM and runs the exported ONNX model in transformers.js, under its CSP', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  await page.goto(`http://localhost:${previewPort}/`);
  // COOP/COEP from `vite preview`: SharedArrayBuffer exists, so tf.js can load its threaded WASM build.
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const pill = page.getByTestId('backend');
  await expect(pill).toHaveText(`wasm — ${cores} thread${cores === 1 ? '' : 's'}`, { timeout: 120_000 });
  await expect(pill).toHaveAttribute('title', /webgpu: its device is a software rasteriser \(google swiftshader\)/);

  await page.getByRole('button', { name: 'Use the demo dataset' }).click();
  await page.getByRole('button', { name: 'Use the demo model' }).click();
  await expect(page.getByTestId('model-name')).toHaveText('demo-tiny-bert', { timeout: 120_000 });
  await page.locator('#set-maxSteps').fill('6');
  await page.locator('#set-evaluations').fill('1');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('training-status')).toHaveText('Training complete', { timeout: 240_000 });
  await page.getByRole('button', { name: 'Export model' }).click();
  await page.getByLabel('Query for transformers.js').fill('how do i sync my notes');
  await page.getByRole('button', { name: 'Run in transformers.js' }).click();
  const summary = page.getByTestId('onnx-summary');
  await expect(summary).toBeVisible({ timeout: 180_000 });
  expect(Number(await summary.getAttribute('data-max-embedding-diff'))).toBeLessThan(1e-4);
  await page.screenshot({ path: 'test-results/screenshots/csp-built-transformers-js.png', fullPage: true });
  expect(violations).toEqual([]);
});
