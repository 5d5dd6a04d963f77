/**
 * Every non-BERT family on WebGPU (SwiftShader in headless Chromium) reproduces its PyTorch oracle, as the unit
 * tests show on CPU and WASM (tests/engine/architectures/oracle.test.ts): token ids, the last hidden state, each
 * pooling, one MNRL backward pass, the 5-step AdamW run (and GPT-2's BitFit run). Fails unless the backend really
 * is webgpu.
 */
import { expect, test } from '@playwright/test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** The families that run; each new family adds its fixture here. */
const MODELS = ['tiny-roberta', 'tiny-xlm-roberta', 'tiny-mpnet', 'tiny-gpt2'];

function maxAbsDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
}

/** The folder's files the harness fetches (1_Pooling's config is enough of the sentence-transformers files). */
function folderFiles(model: string): string[] {
  const dir = new URL(`../tests/fixtures/${model}/model/`, import.meta.url);
  const top = readdirSync(dir).filter((f) => f.includes('.'));
  return existsSync(new URL('1_Pooling/config.json', dir)) ? [...top, '1_Pooling/config.json'] : top;
}

for (const model of MODELS) {
  test(`${model} matches its PyTorch oracle on WebGPU`, async ({ page }) => {
    test.setTimeout(10 * 60_000);
    const G = JSON.parse(readFileSync(new URL(`../tests/fixtures/${model}/golden.json`, import.meta.url), 'utf8'));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('/e2e/harness/index.html');
    await expect(page.locator('#status')).toHaveText('ready');

    const gradientNames = Object.keys(G.gradients_mnrl.grads).map((k: string) => k.replace(/:row_of_first_token_of_.*$/, ':row'));
    const trainRuns = [['full', G.train_adamw], ['bitfit', G.train_bitfit]].filter(([, t]) => t !== undefined);
    const weightNames = (t: Record<string, unknown>) => Object.keys(t).filter((k) => k.endsWith('_after')).map((k) => k.slice(0, -'_after'.length));
    const r = await page.evaluate(
      ({ url, files, inputs }) => window.engineHarness.runFamilyParity('webgpu', url, files, inputs),
      {
        url: `/tests/fixtures/${model}/model`,
        files: folderFiles(model),
        inputs: {
          texts: G.tokenize.texts, gradientPairs: G.gradients_mnrl.pairs, gradientNames, guitarTokenId: G.gradients_mnrl.guitar_token_id,
          runs: trainRuns.map(([strategy, t]) => ({ strategy, lr: t.optimizer.lr, pairs: t.batches.flat(), weightNames: weightNames(t) })),
        },
      },
    );
    expect(errors).toEqual([]);
    // Really WebGPU: the engine's choice, tf.js's active backend, and an adapter that answered.
    expect(r.backend).toBe('webgpu');
    expect(r.tfBackend).toBe('webgpu');
    expect(r.adapter).not.toBeNull();

    const errorsBy: Record<string, number> = {};
    expect(r.inputIds).toEqual(G.tokenize.input_ids.flat());
    expect(r.attentionMask).toEqual(G.tokenize.attention_mask.flat());
    const first = G.forward.last_hidden_state_first_row as number[];
    errorsBy.hidden = maxAbsDiff(r.hidden.slice(0, first.length), first);
    for (const mode of Object.keys(r.pooled)) {
      const expected = G.forward[`pooled_${mode}`];
      if (expected) errorsBy[`pooled_${mode}`] = maxAbsDiff(r.pooled[mode], expected.flat());
    }
    expect(Math.abs(r.gradLoss - G.gradients_mnrl.loss) / G.gradients_mnrl.loss).toBeLessThan(1e-5);
    for (const [name, expected] of Object.entries(G.gradients_mnrl.grads) as [string, number[]][]) {
      errorsBy[name] = maxAbsDiff(r.gradValues[name.replace(/:row_of_first_token_of_.*$/, ':row')], expected);
    }
    expect(Math.abs(r.gradNorm - G.gradients_mnrl.global_grad_norm) / G.gradients_mnrl.global_grad_norm).toBeLessThan(1e-3);
    console.log(`${model} on WebGPU, max abs errors: ${JSON.stringify(errorsBy)}`);
    for (const [name, error] of Object.entries(errorsBy)) expect(error, name).toBeLessThan(1e-4);

    trainRuns.forEach(([strategy, t], i) => {
      const run = r.runs[i];
      expect(run.steps.map((s) => s.lr), strategy).toEqual(t.lr_per_step.map((lr: number) => expect.closeTo(lr, 10)));
      expect(maxAbsDiff(run.steps.map((s) => s.loss), t.loss_per_step), `${strategy} losses`).toBeLessThan(1e-4);
      for (const name of weightNames(t)) expect(maxAbsDiff(run.weights[name], t[`${name}_after`]), `${strategy} ${name}`).toBeLessThan(1e-3);
      expect(maxAbsDiff(run.after, t.pooled_after_on_tokenize_texts.flat()), `${strategy} embeddings after`).toBeLessThan(1e-3);
    });
  });
}
