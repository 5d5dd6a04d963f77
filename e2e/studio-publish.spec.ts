/**
 * Publish to the Hub from the export step, against the Playwright-routed fake Hub (e2e/hubRoute.ts:
 * servePublishHub): the demo run is published, the fake holds the folder and its model card, the token went to
 * huggingface.co only (never to the LFS upload host), the panel links the model page, and the published model
 * loads back through the model step. A screenshot of the panel goes to test-results/screenshots/.
 */
import { expect, test } from '@playwright/test';
import { openDemoOnWebGpu } from './demo';
import { servePublishHub, UPLOAD_ORIGIN } from './hubRoute';

const TOKEN = 'hf_e2e_publish_token';

test('publishes the trained demo model, token on the Hub host only, and loads it back', async ({ page, context }) => {
  const hub = await servePublishHub(context, { [TOKEN]: 'e2e-user' });
  await openDemoOnWebGpu(page);
  await page.locator('#set-maxSteps').fill('2');
  await page.locator('#set-evaluations').fill('1');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('training-status')).toHaveText('Training complete', { timeout: 480_000 });

  await page.getByLabel('Include ONNX model for transformers.js (onnx/model.onnx)').uncheck();
  const panel = page.getByTestId('publish-panel');
  await panel.getByTestId('publish-repo').fill('demo-published');
  await panel.getByTestId('publish-license').fill('apache-2.0');
  await panel.getByTestId('publish-private').uncheck();
  await panel.getByTestId('publish-token').fill(TOKEN);
  await panel.getByTestId('publish-button').click();
  const link = panel.getByTestId('publish-link');
  await expect(link).toHaveText('e2e-user/demo-published', { timeout: 120_000 });
  await expect(link).toHaveAttribute('href', 'https://huggingface.co/e2e-user/demo-published');
  await panel.scrollIntoViewIfNeeded();
  await panel.screenshot({ path: 'test-results/screenshots/publish-panel.png' });

  const repo = hub.repos.get('e2e-user/demo-published');
  expect(repo?.private).toBe(false);
  const files = [...(repo?.files.keys() ?? [])];
  for (const f of ['README.md', 'modules.json', 'config.json', 'model.safetensors', 'tokenizer.json', '1_Pooling/config.json']) expect(files).toContain(f);
  const card = repo!.files.get('README.md')!.toString('utf8');
  expect(card).toContain('library_name: sentence-transformers');
  expect(card).toContain('license: "apache-2.0"');
  expect(card).toContain('widget:\n- source_sentence: ');

  // The token: on every write to huggingface.co, on nothing sent to the upload host.
  const uploads = hub.calls.filter((c) => `https://${c.host}` === UPLOAD_ORIGIN && c.method === 'PUT');
  expect(uploads.length).toBeGreaterThan(0);
  expect(hub.calls.filter((c) => `https://${c.host}` === UPLOAD_ORIGIN).map((c) => c.authorization)).toEqual(hub.calls.filter((c) => `https://${c.host}` === UPLOAD_ORIGIN).map(() => null));
  const writes = hub.calls.filter((c) => c.host === 'huggingface.co' && c.method === 'POST');
  expect(writes.map((c) => c.path)).toEqual(expect.arrayContaining(['/api/repos/create', '/api/models/e2e-user/demo-published/preupload/main', '/api/models/e2e-user/demo-published/commit/main']));
  expect(writes.every((c) => c.authorization === `Bearer ${TOKEN}`)).toBe(true);

  // The published folder loads back as a Hub model.
  const modelCard = page.locator('section.card').filter({ has: page.getByRole('heading', { name: 'Model', exact: true }) });
  await modelCard.getByLabel('Hugging Face model id').fill('e2e-user/demo-published');
  await modelCard.getByRole('button', { name: 'Load' }).click();
  await expect(page.getByTestId('model-name')).toHaveText('e2e-user/demo-published', { timeout: 60_000 });
});
