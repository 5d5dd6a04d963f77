/**
 * `addOnnxToFolder`: puts `onnx/model.onnx` into an exported sentence-transformers folder (path → bytes) and marks
 * config.json so transformers.js loads the folder unchanged: `"transformers.js_config": {"dtype": "fp32"}` makes
 * its pipeline pick `onnx/model.onnx` on every device (on WASM it would otherwise look for the 8-bit
 * `onnx/model_quantized.onnx`, which this export does not write). Python tools ignore the extra key.
 */
import { EngineError } from '../errors';
import { architectureOf } from '../architectures/registry';
import type { WeightTensor } from '../io/weightTensor';
import type { ModelConfig } from '../model/config';
import { checkJsonDepth, isPlainObject } from '../untrusted';
import { ONNX_MODEL_PATH } from './paths';

/** The encoder of `config`'s family as ONNX protobuf bytes (its family's graph). */
export function exportOnnx(weights: ReadonlyMap<string, WeightTensor>, config: ModelConfig): Uint8Array {
  return architectureOf(config).exportOnnx(weights, config);
}

export function addOnnxToFolder(files: Map<string, Uint8Array>, weights: ReadonlyMap<string, WeightTensor>, config: ModelConfig): void {
  const raw = files.get('config.json');
  if (raw === undefined) throw new EngineError('missing_file', 'ONNX export: the folder has no config.json; export the sentence-transformers folder first.');
  const json: unknown = JSON.parse(new TextDecoder().decode(raw));
  if (!isPlainObject(json)) throw new EngineError('bad_config', 'ONNX export: config.json is not a JSON object; export the sentence-transformers folder first.');
  checkJsonDepth(json, 'config.json');
  const previous = isPlainObject(json['transformers.js_config']) ? json['transformers.js_config'] : {};
  json['transformers.js_config'] = { ...previous, dtype: 'fp32' };
  const sorted = Object.fromEntries(Object.entries(json).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  files.set('config.json', new TextEncoder().encode(`${JSON.stringify(sorted, null, 2)}\n`));
  files.set(ONNX_MODEL_PATH, exportOnnx(weights, config));
}
