import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModelFiles } from '../../../src/engine/io/modelFolder';
import type { SentenceEncoder } from '../../../src/engine/model/encoder';
import { encoderFromFiles } from '../../../src/engine/model/load';
import { textBatch } from '../../../src/engine/train/batches';
import { batchGradients, cachedBatchGradients, lossSpec, prepareBatch } from '../../../src/engine/train/step';
import { TextTokenizer } from '../../../src/engine/tokenizer';
import { loadTinyBert, maxAbsDiff, useCpuBackend } from '../../helpers/tinyBert';

const PROMPTS = { query: 'query: ', document: 'passage: ' };

/** tiny-bert with the given include_prompt and the e5 prompts. */
function encoderWith(files: LoadedModelFiles, includePrompt: boolean, pooling: 'mean' | 'cls' = 'mean'): SentenceEncoder {
  return encoderFromFiles({ ...files, sentenceTransformers: { ...files.sentenceTransformers, includePrompt } }, { prompts: PROMPTS, pooling });
}

describe('prompts in the encoder', () => {
  let files: LoadedModelFiles;
  let tokenizer: TextTokenizer;
  beforeAll(async () => {
    await useCpuBackend();
    files = await loadTinyBert();
    tokenizer = new TextTokenizer(files.tokenizerJson, files.tokenizerConfig, files.specialTokensMap);
  });

  it('a query gets the query prompt, a document the document prompt, a plain text none', async () => {
    const withPrompts = encoderWith(files, true);
    const plain = encoderFromFiles(files);
    const [q] = await withPrompts.embed(['how tall is the tower'], { role: 'query' });
    const [d] = await withPrompts.embed(['how tall is the tower'], { role: 'document' });
    const [p] = await withPrompts.embed(['how tall is the tower'], { role: 'plain' });
    const [qRef, dRef, pRef] = await plain.embed(['query: how tall is the tower', 'passage: how tall is the tower', 'how tall is the tower']);
    expect(Array.from(q)).toEqual(Array.from(qRef));
    expect(Array.from(d)).toEqual(Array.from(dRef));
    expect(Array.from(p)).toEqual(Array.from(pRef));
    withPrompts.dispose();
    plain.dispose();
  });

  it('include_prompt false: the prompt is attended to, but the mean leaves out [CLS] and the prompt tokens', async () => {
    const encoder = encoderWith(files, false);
    const text = 'query: hello world, the tower';
    // sentence-transformers: prompt_length = len(tokenize(prompt)) - 1, here [CLS] + the prompt's tokens.
    const promptAlone = tokenizer.encodeBatch(['query: '], 64);
    const skip = promptAlone.seqLen - 1;
    expect(skip).toBeGreaterThanOrEqual(2);
    const batch = tokenizer.encodeBatch([text], 64);
    const T = batch.seqLen;
    const expected = tf.tidy(() => {
      const hidden = encoder.hiddenStates(tf.tensor2d(batch.inputIds, [1, T], 'int32'), tf.tensor2d(Float32Array.from(batch.attentionMask), [1, T]));
      return tf.mean(tf.slice(hidden, [0, skip, 0], [1, T - skip, -1]), 1); // every token after the prompt is real here
    });
    const [got] = await encoder.embed(['hello world, the tower'], { role: 'query' });
    expect(maxAbsDiff(got, await expected.data())).toBeLessThan(1e-5);
    // With the prompt pooled the result differs: the mask did something.
    const [pooledWithPrompt] = await encoderWith(files, true).embed(['hello world, the tower'], { role: 'query' });
    expect(maxAbsDiff(got, pooledWithPrompt)).toBeGreaterThan(1e-3);
    expected.dispose();
    encoder.dispose();
  });

  it('include_prompt false does not change CLS pooling (the first token is taken whatever the mask)', async () => {
    const without = encoderWith(files, false, 'cls');
    const withIt = encoderWith(files, true, 'cls');
    const [a] = await without.embed(['hello world'], { role: 'query' });
    const [b] = await withIt.embed(['hello world'], { role: 'query' });
    expect(Array.from(a)).toEqual(Array.from(b));
    without.dispose();
    withIt.dispose();
  });

  it('a training batch: anchors get the query prompt, positives the document prompt; a scored pair both the query prompt', () => {
    const encoder = encoderWith(files, true);
    const ids = (text: string) => Array.from(tokenizer.encodeBatch([text], 64).inputIds);
    const row = (tokens: { inputIds: Int32Array; seqLen: number }, r: number, n: number) => Array.from(tokens.inputIds.subarray(r * tokens.seqLen, r * tokens.seqLen + n));
    const pairs = prepareBatch(encoder, textBatch({ type: 'pair', records: [{ text: 'a question', text_pos: 'an answer' }] }, [0]));
    expect(row(pairs.tokens, 0, ids('query: a question').length)).toEqual(ids('query: a question'));
    expect(row(pairs.tokens, 1, ids('passage: an answer').length)).toEqual(ids('passage: an answer'));
    const scored = prepareBatch(encoder, textBatch({ type: 'scored_pair', records: [{ sentence1: 'one', sentence2: 'two', label: 0.5 }] }, [0]));
    expect(row(scored.tokens, 0, ids('query: one').length)).toEqual(ids('query: one'));
    expect(row(scored.tokens, 1, ids('query: two').length)).toEqual(ids('query: two'));
    encoder.dispose();
  });

  it('GradCache chunks keep the pooling mask: the same loss and gradients as one pass, with include_prompt false', async () => {
    const encoder = encoderWith(files, false);
    const records = [
      { text: 'where is the tower', text_pos: 'the tower is in paris' },
      { text: 'who wrote it', text_pos: 'a writer wrote the book' },
      { text: 'what colour', text_pos: 'the sky is blue today' },
    ];
    const prepared = prepareBatch(encoder, textBatch({ type: 'pair', records }, [0, 1, 2]));
    expect(prepared.tokens.poolingMask).toBeDefined();
    const trainable = [...encoder.params.keys()];
    const loss = lossSpec('mnrl', {}, 'pair');
    const rates = { hidden: 0, attention: 0 };
    const whole = batchGradients(encoder, trainable, prepared, loss, rates);
    const chunked = cachedBatchGradients(encoder, trainable, prepared, loss, rates, 2);
    expect(Math.abs((await whole.loss.data())[0] - (await chunked.loss.data())[0])).toBeLessThan(1e-5);
    for (const name of ['embeddings.word_embeddings.weight', 'encoder.layer.1.output.dense.weight']) {
      expect(maxAbsDiff(await whole.grads[name].data(), await chunked.grads[name].data()), name).toBeLessThan(1e-5);
    }
    tf.dispose([whole.loss, chunked.loss, whole.grads, chunked.grads]);
    encoder.dispose();
  });
});
