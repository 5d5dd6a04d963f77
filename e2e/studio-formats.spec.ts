/**
 * The checkpoints people have, loaded from the Hub (played by Playwright routing with the repo's fixtures):
 * tiny-bert as torch saved it (pytorch_model.bin, zip and legacy) and with only vocab.txt for its tokenizer must
 * embed exactly like tiny-bert — the base model's metrics on the demo validation set are identical — and an
 * e5-style folder's prompts fill the settings, train, and come back in the exported folder with a tokenizer.json.
 */
import { expect, test, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { readFile } from 'node:fs/promises';
import { readRepo, serveRepos } from './hubRoute';

const card = (page: Page, title: string) => page.locator('section.card').filter({ has: page.getByRole('heading', { name: title, exact: true }) });

/** The base model's metrics table (evaluation before training), metric → text. */
async function baseMetrics(page: Page): Promise<Record<string, string>> {
  await page.getByRole('button', { name: 'Evaluate' }).click();
  const table = page.getByTestId('metrics-table');
  await expect(table.locator('tr.primary [data-col="base"]')).not.toHaveText('–', { timeout: 120_000 });
  return table.evaluate((t) =>
    Object.fromEntries([...t.querySelectorAll('tr[data-metric]')].map((r) => [r.getAttribute('data-metric') ?? '', r.querySelector('[data-col="base"]')?.textContent ?? ''])),
  );
}

test('pytorch_model.bin (zip, legacy) and vocab.txt-only folders embed like tiny-bert; an e5-style model\'s prompts train and export', async ({ page }) => {
  const tiny = await readRepo('tests/fixtures/tiny-bert/model');
  const e5 = new Map(await readRepo('tests/fixtures/tiny-bert-formats/vocab-only'));
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  e5.set('modules.json', json([
    { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
    { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
  ]));
  e5.set('1_Pooling/config.json', json({ word_embedding_dimension: 32, pooling_mode_mean_tokens: true, include_prompt: true }));
  e5.set('config_sentence_transformers.json', json({ prompts: { query: 'query: ', passage: 'passage: ' }, default_prompt_name: null }));
  const repos = new Map([
    ['org/tiny-bert', tiny],
    ['org/tiny-bert-zip', await readRepo('tests/fixtures/tiny-bert-formats/pytorch-zip')],
    ['org/tiny-bert-legacy', await readRepo('tests/fixtures/tiny-bert-formats/pytorch-legacy')],
    ['org/tiny-bert-vocab', await readRepo('tests/fixtures/tiny-bert-formats/vocab-only')],
    ['org/tiny-e5', e5],
  ]);
  await serveRepos(page.context(), repos);

  // What is under test is reading the files, not the backend: WASM runs this in a fraction of SwiftShader's time.
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend')).toHaveText(/^wasm/, { timeout: 120_000 });
  await page.getByRole('button', { name: 'Use the demo dataset' }).click();
  await expect(page.getByTestId('mapping-kept')).toHaveText('520');
  const modelCard = card(page, 'Model');
  const load = async (id: string) => {
    await modelCard.getByLabel('Hugging Face model id').fill(id);
    await modelCard.getByRole('button', { name: 'Load' }).click();
    await expect(page.getByTestId('model-name')).toHaveText(id, { timeout: 60_000 });
    await expect(modelCard.getByTestId('model-error')).toHaveCount(0);
  };

  await load('org/tiny-bert');
  const reference = await baseMetrics(page);
  expect(Object.keys(reference).length).toBeGreaterThan(3);
  for (const [id, weights, tokenizer] of [
    ['org/tiny-bert-zip', 'pytorch_model.bin', 'tokenizer.json'],
    ['org/tiny-bert-legacy', 'pytorch_model.bin', 'tokenizer.json'],
    ['org/tiny-bert-vocab', 'model.safetensors', 'built from vocab.txt'],
  ] as const) {
    await load(id);
    await expect(modelCard.getByTestId('model-weights')).toHaveText(weights);
    await expect(modelCard.getByTestId('model-tokenizer')).toHaveText(tokenizer);
    expect(await baseMetrics(page), id).toEqual(reference);
  }
  await modelCard.screenshot({ path: 'test-results/screenshots/formats-vocab-only.png' });

  // The e5-style model: its prompts fill the form; a short run trains with them; the export keeps them.
  await load('org/tiny-e5');
  await expect(page.locator('#set-queryPrompt')).toHaveValue('query: ');
  await expect(page.locator('#set-documentPrompt')).toHaveValue('passage: ');
  await card(page, 'Training settings').locator('summary', { hasText: 'Advanced settings' }).click();
  await card(page, 'Training settings').screenshot({ path: 'test-results/screenshots/formats-prompts.png' });
  await page.locator('#set-queryPrompt').fill('bad\u0007');
  await expect(page.locator('#set-queryPrompt-error')).toContainText('control character');
  await page.locator('#set-queryPrompt').fill('query: ');
  await page.locator('#set-maxSteps').fill('3');
  await page.locator('#set-evaluations').fill('0');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('training-status')).toHaveText('Training complete', { timeout: 300_000 });

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export model' }).click();
  const zip = unzipSync(new Uint8Array(await readFile(await (await downloading).path())));
  const file = (name: string) => {
    const key = Object.keys(zip).find((n) => n.slice(n.indexOf('/') + 1) === name);
    expect(key, name).toBeDefined();
    return new TextDecoder().decode(zip[key as string]);
  };
  expect(JSON.parse(file('config_sentence_transformers.json'))).toMatchObject({ prompts: { query: 'query: ', passage: 'passage: ' } });
  expect((JSON.parse(file('tokenizer.json')) as { model: { type: string } }).model.type).toBe('WordPiece');
  expect(file('README.md')).toContain('prompt_name="query"');
});
