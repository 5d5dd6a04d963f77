/**
 * Loading from the Hugging Face Hub (played by Playwright routing with the repo's tiny BERT fixture): the studio
 * lists the model's files first and downloads each as the loader reads it, so (a) a model the engine does not
 * support (config.json says model_type deberta-v2) is refused in the Model step before any weights are requested;
 * (b) a supported one loads with one progress bar over all its files, reaching 100% of their total; (c) a
 * download in progress can be cancelled from the Model step, and the model loaded before stays.
 */
import { expect, test, type Page, type Route } from '@playwright/test';
import { formatBytes } from '../src/ui/format';
import { CORS, HUB_ROUTE, hubRequest, readRepo, treeBody } from './hubRoute';

const card = (page: Page, title: string) => page.locator('section.card').filter({ has: page.getByRole('heading', { name: title, exact: true }) });

/** Progress bar states of the Model step as React renders them: aria-valuenow and the line under the bar. */
async function recordModelProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { modelProgress: string[] }).modelProgress = seen;
    new MutationObserver(() => {
      const bar = document.querySelector('[role="progressbar"][aria-label="Loading the model"]');
      if (!bar) return;
      const entry = `${bar.getAttribute('aria-valuenow') ?? '-'}|${bar.parentElement?.textContent ?? ''}`;
      if (seen.at(-1) !== entry) seen.push(entry);
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

test('the Hub: an unsupported model is refused before its weights are requested; a supported one loads to 100%; a download can be cancelled', async ({ page }) => {
  const tiny = await readRepo('tests/fixtures/tiny-bert/model');
  const config = JSON.parse(tiny.get('config.json')?.toString('utf8') ?? '{}') as Record<string, unknown>;
  const deberta = new Map(tiny);
  deberta.set('config.json', Buffer.from(JSON.stringify({ ...config, model_type: 'deberta-v2', architectures: ['DebertaV2Model'] }, null, 2)));
  deberta.set('pytorch_model.bin', Buffer.alloc(4096));
  const repos = new Map([
    ['org/tiny-bert', tiny],
    ['org/tiny-deberta', deberta],
    ['org/tiny-bert-slow', tiny],
  ]);
  const requested: string[] = [];
  let releaseWeights = () => {};
  const weightsHeld = new Promise<void>((resolve) => (releaseWeights = resolve));

  await page.context().route(HUB_ROUTE, async (route: Route) => {
    const url = route.request().url();
    requested.push(url);
    const r = hubRequest(url);
    const files = r ? repos.get(r.id) : undefined;
    if (!r || !files) return route.fulfill({ status: 404, headers: CORS, body: 'Repository not found' });
    if (r.kind === 'tree') return route.fulfill({ status: 200, headers: { ...CORS, 'content-type': 'application/json' }, body: treeBody(files) });
    const body = files.get(r.path);
    if (!body) return route.fulfill({ status: 404, headers: CORS, body: 'Entry not found' });
    if (r.id === 'org/tiny-bert-slow' && r.path === 'model.safetensors') {
      await weightsHeld; // Held until the test has seen the download and cancelled it.
      return route.fulfill({ status: 200, headers: CORS, body }).catch(() => {});
    }
    return route.fulfill({ status: 200, headers: CORS, body });
  });

  await page.goto('/?backend=webgpu');
  await expect(page.getByTestId('backend')).toHaveText(/^(webgpu|webgl|wasm|cpu)\b/, { timeout: 120_000 });
  await page.getByRole('button', { name: 'Use the demo dataset' }).click();
  await expect(page.getByTestId('mapping-kept')).toHaveText('520');
  const modelCard = card(page, 'Model');
  const idField = modelCard.getByLabel('Hugging Face model id');
  const load = modelCard.getByRole('button', { name: 'Load' });

  // (a) Refused from config.json; neither weights file of that repo is ever asked for.
  await idField.fill('org/tiny-deberta');
  await load.click();
  const error = modelCard.getByTestId('model-error');
  await expect(error).toContainText('config.json: model_type "deberta-v2" is not supported yet');
  await expect(error).toContainText('Pick a model of one of these families');
  const debertaRequests = requested.filter((u) => u.includes('org/tiny-deberta'));
  expect(debertaRequests[0]).toBe('https://huggingface.co/api/models/org/tiny-deberta/tree/main?recursive=true&expand=false');
  expect(debertaRequests.some((u) => u.includes('/resolve/main/config.json'))).toBe(true);
  expect(debertaRequests.filter((u) => /model\.safetensors|pytorch_model\.bin/.test(u))).toEqual([]);
  await modelCard.screenshot({ path: '/tmp/hub-refused.png' });

  // (b) One bar over every file of the download, up to 100% of their total.
  const total = [...tiny.values()].reduce((a, b) => a + b.byteLength, 0);
  await recordModelProgress(page);
  await idField.fill('org/tiny-bert');
  await load.click();
  await expect(page.getByTestId('model-name')).toHaveText('org/tiny-bert', { timeout: 60_000 });
  await expect(error).toHaveCount(0);
  const states = await page.evaluate(() => (window as unknown as { modelProgress: string[] }).modelProgress);
  const ofTotal = states.filter((s) => s.includes(`of ${formatBytes(total)}`));
  expect(ofTotal.length, states.join('\n')).toBeGreaterThan(1);
  expect(states.filter((s) => s.includes(' of ') && !s.includes(`of ${formatBytes(total)}`)), 'every state counts the same total').toEqual([]);
  expect(ofTotal.at(-1), states.join('\n')).toMatch(new RegExp(`^100\\|.* · ${formatBytes(total)} of ${formatBytes(total)}$`));
  expect(states.some((s) => s.includes('model.safetensors ·'))).toBe(true);
  for (const path of tiny.keys()) expect(requested).toContain(`https://huggingface.co/org/tiny-bert/resolve/main/${path}`);

  // (c) Cancelled while the weights download: the Cancel button next to the bar; the model loaded before stays.
  await idField.fill('org/tiny-bert-slow');
  await load.click();
  const download = modelCard.getByTestId('model-download');
  await expect(download).toContainText(`model.safetensors · `);
  await expect(download).toContainText(`of ${formatBytes(total)}`);
  await expect(idField).toBeDisabled();
  await modelCard.screenshot({ path: '/tmp/hub-downloading.png' });
  await download.getByRole('button', { name: 'Cancel' }).click();
  await expect(modelCard.getByTestId('model-notice')).toHaveText('Download cancelled. org/tiny-bert stays loaded.');
  await expect(download).toHaveCount(0);
  releaseWeights();
  await expect(page.getByTestId('model-name')).toHaveText('org/tiny-bert');
  await expect(error).toHaveCount(0);
  await expect(idField).toBeEnabled();
  await modelCard.screenshot({ path: '/tmp/hub-cancelled.png' });
});
