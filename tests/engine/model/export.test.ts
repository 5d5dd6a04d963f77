import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModelFolder, sourceFromRecord, type LoadedModelFiles } from '../../../src/engine/io/modelFolder';
import { exportSentenceTransformersFolder } from '../../../src/engine/model/export';
import { encoderFromFiles, type HeadOverrides } from '../../../src/engine/model/load';
import { golden, loadTinyBert, useCpuBackend } from '../../helpers/tinyBert';

/** Exports `files` through an encoder with `head`, moves every weight, loads the folder back. */
async function roundTrip(files: LoadedModelFiles, head: HeadOverrides) {
  const encoder = encoderFromFiles(files, head);
  // Change every weight, so the test sees the encoder's weights and not the source folder's.
  for (const v of encoder.params.values()) tf.tidy(() => v.assign(tf.add(v, 0.01)));
  const exported = await exportSentenceTransformersFolder(encoder, files);
  const reloaded = encoderFromFiles(await loadModelFolder(sourceFromRecord(Object.fromEntries(exported), 'the export')));
  const texts = golden.tokenize.texts;
  return { encoder, reloaded, exported, before: await encoder.embed(texts, { batchSize: 3 }), after: await reloaded.embed(texts, { batchSize: 3 }) };
}

describe('exportSentenceTransformersFolder', () => {
  let files: LoadedModelFiles;
  beforeAll(async () => {
    await useCpuBackend();
    files = await loadTinyBert();
  });

  it.each<HeadOverrides>([{}, { pooling: 'cls', normalize: true, maxSeqLength: 16 }, { pooling: 'last_weighted', maxSeqLength: 64 }])(
    'reloads to the same embeddings, bit for bit, and the same head (%o)',
    async (head) => {
      const { encoder, reloaded, exported, before, after } = await roundTrip(files, head);
      expect(reloaded.head).toEqual(encoder.head);
      expect(after.length).toBe(golden.tokenize.texts.length);
      after.forEach((v, i) => expect(v).toEqual(before[i]));
      expect(exported.has('2_Normalize/')).toBe(encoder.head.normalize);
      expect(exported.has('vocab.txt')).toBe(true);
      encoder.dispose();
      reloaded.dispose();
    },
  );

  it('keeps the source tokenizer files and config', async () => {
    const encoder = encoderFromFiles(files);
    const exported = await exportSentenceTransformersFolder(encoder, files);
    const json = (path: string): unknown => JSON.parse(new TextDecoder().decode(exported.get(path)));
    expect(json('tokenizer.json')).toEqual(files.tokenizerJson);
    expect(json('tokenizer_config.json')).toEqual(files.tokenizerConfig);
    expect(json('config.json')).toEqual({ ...files.rawConfig, architectures: ['BertModel'] });
    expect(exported.get('vocab.txt')).toEqual(files.vocabTxt);
    encoder.dispose();
  });
});
