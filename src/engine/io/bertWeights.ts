/**
 * The tensors a Hugging Face `BertModel` checkpoint must hold for a given config, their shapes, and the
 * name clean-up that makes checkpoints of BertModel, BertForMaskedLM and old TF conversions agree.
 */
import { EngineError } from '../errors';
import type { BertConfig } from '../model/config';
import { countNonFinite } from '../model/finite';

/** A float32 weight: shape and row-major values. */
export interface WeightTensor {
  shape: number[];
  data: Float32Array;
}

/** Expected shape of every tensor the encoder needs, HF BertModel names without any 'bert.' prefix. */
export function requiredTensorShapes(c: BertConfig): Map<string, number[]> {
  const H = c.hiddenSize;
  const I = c.intermediateSize;
  const shapes = new Map<string, number[]>([
    ['embeddings.word_embeddings.weight', [c.vocabSize, H]],
    ['embeddings.position_embeddings.weight', [c.maxPositionEmbeddings, H]],
    ['embeddings.token_type_embeddings.weight', [c.typeVocabSize, H]],
    ['embeddings.LayerNorm.weight', [H]],
    ['embeddings.LayerNorm.bias', [H]],
  ]);
  for (let i = 0; i < c.numHiddenLayers; i++) {
    const p = `encoder.layer.${i}.`;
    for (const proj of ['query', 'key', 'value']) {
      shapes.set(`${p}attention.self.${proj}.weight`, [H, H]);
      shapes.set(`${p}attention.self.${proj}.bias`, [H]);
    }
    shapes.set(`${p}attention.output.dense.weight`, [H, H]);
    shapes.set(`${p}attention.output.dense.bias`, [H]);
    shapes.set(`${p}attention.output.LayerNorm.weight`, [H]);
    shapes.set(`${p}attention.output.LayerNorm.bias`, [H]);
    shapes.set(`${p}intermediate.dense.weight`, [I, H]);
    shapes.set(`${p}intermediate.dense.bias`, [I]);
    shapes.set(`${p}output.dense.weight`, [H, I]);
    shapes.set(`${p}output.dense.bias`, [H]);
    shapes.set(`${p}output.LayerNorm.weight`, [H]);
    shapes.set(`${p}output.LayerNorm.bias`, [H]);
  }
  return shapes;
}

/** Names of the tensors the encoder needs for `config`, in checkpoint order. */
export function REQUIRED_TENSOR_NAMES(config: BertConfig): string[] {
  return [...requiredTensorShapes(config).keys()];
}

/**
 * Checkpoint name → BertModel name: drops a leading 'bert.' (BertFor* checkpoints) and renames old
 * LayerNorm 'gamma'/'beta' to 'weight'/'bias'. Returns null for heads the encoder ignores ('cls.*',
 * 'pooler.*').
 */
export function canonicalTensorName(name: string): string | null {
  const stripped = name.startsWith('bert.') ? name.slice('bert.'.length) : name;
  if (stripped.startsWith('cls.') || stripped.startsWith('pooler.')) return null;
  return stripped.replace(/\.LayerNorm\.gamma$/, '.LayerNorm.weight').replace(/\.LayerNorm\.beta$/, '.LayerNorm.bias');
}

function listNames(names: string[]): string {
  const shown = names.slice(0, 5).map((n) => `'${n}'`).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

/**
 * Renames checkpoint tensors, keeps only the required ones and checks each exists with the shape the
 * config implies and holds only finite values (one pass over each). `fileName` names the weights file in messages.
 */
export function selectBertWeights(
  tensors: Map<string, WeightTensor>,
  config: BertConfig,
  fileName = 'model.safetensors',
): Map<string, WeightTensor> {
  const byName = new Map<string, WeightTensor>();
  for (const [name, t] of tensors) {
    const canonical = canonicalTensorName(name);
    if (canonical !== null && !byName.has(canonical)) byName.set(canonical, t);
  }
  const shapes = requiredTensorShapes(config);
  const missing = [...shapes.keys()].filter((n) => !byName.has(n));
  if (missing.length > 0) {
    throw new EngineError(
      'missing_tensor',
      `${fileName} lacks ${missing.length} tensor(s) a BERT model with ${config.numHiddenLayers} layers needs: ${listNames(missing)}. ` +
        `Check that config.json and ${fileName} come from the same model.`,
    );
  }
  const out = new Map<string, WeightTensor>();
  for (const [name, shape] of shapes) {
    const t = byName.get(name) as WeightTensor;
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new EngineError(
        'bad_safetensors',
        `${fileName}: tensor '${name}' has shape [${t.shape.join(', ')}] but config.json implies [${shape.join(', ')}]; ` +
          `config.json and ${fileName} do not belong to the same model.`,
      );
    }
    const nonFinite = countNonFinite(t.data);
    if (nonFinite.count > 0) {
      throw new EngineError(
        'bad_safetensors',
        `${fileName}: tensor '${name}' holds ${nonFinite.count.toLocaleString('en-US')} NaN or infinite value(s) of ${t.data.length.toLocaleString('en-US')} ` +
          `(the first at index ${nonFinite.first}); such a model embeds texts as NaN. Download the model again, or use an intact copy of it.`,
      );
    }
    out.set(name, { shape: t.shape, data: t.data });
  }
  return out;
}
