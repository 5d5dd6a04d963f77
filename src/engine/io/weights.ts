/**
 * From a checkpoint's tensors to the encoder's: each name made canonical by the model's family (prefix dropped,
 * heads and buffers ignored), then every tensor the config needs checked to exist with the shape the config
 * implies and to hold only finite values (one pass over each).
 */
import type { Architecture } from '../architectures/architecture';
import { EngineError } from '../errors';
import type { ModelConfig } from '../model/config';
import { countNonFinite } from '../model/finite';
import type { WeightTensor } from './weightTensor';

export type { WeightTensor } from './weightTensor';

function listNames(names: string[]): string {
  const shown = names.slice(0, 5).map((n) => `'${n}'`).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

/**
 * Renames checkpoint tensors, keeps only the required ones and checks them. `fileName` names the weights file in
 * messages.
 */
export function selectWeights<C extends ModelConfig>(
  tensors: ReadonlyMap<string, WeightTensor>,
  arch: Architecture<C>,
  config: C,
  fileName = 'model.safetensors',
): Map<string, WeightTensor> {
  const byName = new Map<string, WeightTensor>();
  for (const [name, t] of tensors) {
    const canonical = arch.canonicalName(name);
    if (canonical !== null && !byName.has(canonical)) byName.set(canonical, t);
  }
  const shapes = arch.tensorShapes(config);
  const missing = [...shapes.keys()].filter((n) => !byName.has(n));
  if (missing.length > 0) {
    throw new EngineError(
      'missing_tensor',
      `${fileName} lacks ${missing.length} tensor(s) a ${arch.label} model with ${config.numHiddenLayers} layers needs: ${listNames(missing)}. ` +
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
