/**
 * MPNet's ONNX export (architectures/mpnet/onnx.ts) run by onnxruntime-node against the engine's hidden states on
 * CPU and WASM: padded batches up to the longest input the position table holds (128 tokens, so relative
 * distances reach 127 and every bucket of both directions occurs), inputs input_ids and attention_mask only.
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src/engine/backend';
import type { LoadedModelFiles } from '../../../../src/engine/io/modelFolder';
import { encoderFromFiles } from '../../../../src/engine/model/load';
import { decodeModel, exportOnnx } from '../../../../src/engine/onnx';
import { familyGolden, loadFamily } from '../../../helpers/oracleFamilies';
import { maxAbsDiff } from '../../../helpers/tinyBert';

const golden = familyGolden('tiny-mpnet');
const LONG = Array.from({ length: 40 }, (_, i) => `sentence ${i} about a man who plays the guitar`).join(' '); // cut to 128 tokens
const BATCHES: [string, string[]][] = [
  ['the golden texts (83 tokens, padded)', golden.tokenize.texts],
  ['one text at the full 128 tokens beside short ones', [LONG, 'A man is playing a guitar.', 'hi']],
  ['a single unpadded text', ['A man is playing a guitar.']],
];

describe('MPNet ONNX export in onnxruntime-node', () => {
  let files: LoadedModelFiles;
  let session: ort.InferenceSession;
  beforeAll(async () => {
    await initBackend({ order: ['wasm'] });
    await initBackend({ order: ['cpu'] });
    files = await loadFamily('tiny-mpnet');
    session = await ort.InferenceSession.create(exportOnnx(files.weights, files.config));
  });

  it('declares input_ids and attention_mask only, and last_hidden_state', () => {
    const model = decodeModel(exportOnnx(files.weights, files.config)) as unknown as { graph: { input: { name: string }[]; output: { name: string }[] } };
    expect(model.graph.input.map((v) => v.name)).toEqual(['input_ids', 'attention_mask']);
    expect(model.graph.output.map((v) => v.name)).toEqual(['last_hidden_state']);
    expect(session.inputNames).toEqual(['input_ids', 'attention_mask']);
  });

  describe.each(['cpu', 'wasm'])('against the engine on %s', (backend) => {
    it.each(BATCHES)('%s: last_hidden_state ≤ 1e-4', async (_, texts) => {
      await tf.setBackend(backend);
      const encoder = encoderFromFiles(files);
      const batch = encoder.tokenize(texts);
      const shape: [number, number] = [batch.batchSize, batch.seqLen];
      const ids = tf.tensor2d(batch.inputIds, shape, 'int32');
      const mask = tf.tensor2d(Float32Array.from(batch.attentionMask), shape);
      const hidden = encoder.hiddenStates(ids, mask);
      const engine = (await hidden.data()) as Float32Array;
      tf.dispose([ids, mask, hidden]);
      encoder.dispose();
      const feeds = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(Array.from(batch.inputIds, BigInt)), shape),
        attention_mask: new ort.Tensor('int64', BigInt64Array.from(Array.from(batch.attentionMask, BigInt)), shape),
      };
      const out = (await session.run(feeds)).last_hidden_state;
      expect(out.dims).toEqual([...shape, files.config.hiddenSize]);
      const error = maxAbsDiff(out.data as Float32Array, engine);
      console.info(`MPNet ONNX vs engine (${backend}), ${shape.join('×')} tokens: max abs error ${error.toExponential(2)}`);
      expect(error).toBeLessThan(1e-4);
      if (texts === golden.tokenize.texts) {
        const first = golden.forward.last_hidden_state_first_row;
        expect(maxAbsDiff(Array.from((out.data as Float32Array).slice(0, first.length)), first)).toBeLessThan(1e-4);
      }
    });
  });
});
