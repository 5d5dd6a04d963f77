/**
 * The engine on WebGPU (SwiftShader in headless Chromium) reproduces the PyTorch oracle, as it does on
 * the CPU backend in Node. The test fails if WebGPU is missing: it asserts the backend really is webgpu.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';

const golden = JSON.parse(readFileSync(new URL('../tests/fixtures/tiny-bert/golden.json', import.meta.url), 'utf8'));

function maxAbsDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
}

test('engine matches the PyTorch oracle on WebGPU', async ({ page }) => {
  test.setTimeout(10 * 60_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => console.log('[page]', m.text()));
  await page.goto('/e2e/harness/index.html');
  await expect(page.locator('#status')).toHaveText('ready');

  const G = golden;
  const gradientNames = Object.keys(G.gradients_mnrl.grads).filter((k) => !k.includes(':row_of_first_token_of_'));
  const r = await page.evaluate(
    (inputs) => window.engineHarness.runParity('webgpu', '/tests/fixtures/tiny-bert/model', inputs),
    {
      texts: G.tokenize.texts, inputIds: G.tokenize.input_ids, attentionMask: G.tokenize.attention_mask,
      losses: { anchor: G.losses.anchor, positive: G.losses.positive, negative: G.losses.negative, labels: G.losses.labels },
      gradientPairs: G.gradients_mnrl.pairs, gradientNames, trainPairs: G.train_adamw.batches.flat(),
    },
  );
  expect(errors).toEqual([]);

  // Really WebGPU: the engine's choice, tf.js's active backend, and an adapter that answered.
  expect(r.backend).toBe('webgpu');
  expect(r.tfBackend).toBe('webgpu');
  expect(r.adapter).not.toBeNull();

  expect(r.inputIds).toEqual(G.tokenize.input_ids.flat());
  expect(r.attentionMask).toEqual(G.tokenize.attention_mask.flat());
  expect(maxAbsDiff(r.firstRow, G.forward.last_hidden_state_first_row)).toBeLessThan(1e-4);
  for (const mode of ['mean', 'cls', 'max', 'last_weighted']) {
    expect(maxAbsDiff(r.pooled[mode].flat(), G.forward[`pooled_${mode}`].flat()), mode).toBeLessThan(1e-4);
  }
  for (const [name, value] of Object.entries(r.losses)) {
    expect(Math.abs(value - G.losses[name]) / Math.abs(G.losses[name]), name).toBeLessThan(1e-5);
  }
  expect(Math.abs(r.gradLoss - G.gradients_mnrl.loss) / G.gradients_mnrl.loss).toBeLessThan(1e-5);
  for (const name of gradientNames) {
    expect(maxAbsDiff(r.gradValues[name], G.gradients_mnrl.grads[name]), name).toBeLessThan(1e-4);
  }
  expect(maxAbsDiff(r.guitarRow, G.gradients_mnrl.grads["embeddings.word_embeddings.weight:row_of_first_token_of_'guitar'"])).toBeLessThan(1e-4);
  expect(Math.abs(r.gradNorm - G.gradients_mnrl.global_grad_norm) / G.gradients_mnrl.global_grad_norm).toBeLessThan(1e-3);

  expect(r.steps.map((s) => s.lr)).toEqual(G.train_adamw.lr_per_step.map((lr: number) => expect.closeTo(lr, 10)));
  expect(maxAbsDiff(r.steps.map((s) => s.loss), G.train_adamw.loss_per_step)).toBeLessThan(1e-4);
  expect(maxAbsDiff(r.lnAfter, G.train_adamw['embeddings.LayerNorm.weight_after'])).toBeLessThan(1e-3);
  expect(maxAbsDiff(r.after.flat(), G.train_adamw.pooled_after_on_tokenize_texts.flat())).toBeLessThan(1e-3);
  expect(r.leaked).toBe(0);
});
