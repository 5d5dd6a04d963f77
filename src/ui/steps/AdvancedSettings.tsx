/**
 * The settings step's expert fields behind a native <details> "Advanced settings" (closed by default: their
 * defaults suit a first run). The summary says how many differ from the loaded model's defaults and how many are
 * invalid; the section opens by itself when one of its fields becomes invalid, so a closed section never hides a
 * problem (the Train step also refuses to start and says why).
 */
import { useState } from 'react';
import { advancedChanges, advancedProblems, advancedSummary, invalidNote } from '../advancedSettings';
import { Field } from '../components';
import type { ModelSummary } from '../../worker/protocol';
import type { RecordType } from '../../engine/records';
import type { SettingsProblems, StrategyChoice, TrainingSettings } from '../store/settingsSlice';
import type { FieldKit } from './settingsFields';

export interface AdvancedSettingsProps {
  kit: FieldKit;
  settings: TrainingSettings;
  /** The form's defaults for the loaded model: what "changed" counts from. */
  defaults: TrainingSettings;
  problems: SettingsProblems;
  change: (patch: Partial<TrainingSettings>) => void;
  model: ModelSummary | null;
  recordType: RecordType;
}

/** Open state that follows the user's toggles and opens once when the section's fields go from valid to invalid. */
function useOpenOnProblem(invalid: boolean): [boolean, (open: boolean) => void] {
  const [open, setOpen] = useState(invalid);
  const [wasInvalid, setWasInvalid] = useState(invalid);
  if (invalid !== wasInvalid) {
    setWasInvalid(invalid);
    if (invalid) setOpen(true);
  }
  return [open, setOpen];
}

export function AdvancedSettings(props: AdvancedSettingsProps) {
  const { kit, settings, model } = props;
  const changed = advancedChanges(settings, props.defaults).length;
  const invalid = advancedProblems(settings, props.problems).length;
  const [open, setOpen] = useOpenOnProblem(invalid > 0);
  return (
    <details className="advanced-settings" open={open} onToggle={(e) => setOpen(e.currentTarget.open)} data-testid="advanced-settings">
      <summary>
        <span className="advanced-title">
          {advancedSummary(changed)}
          {invalid > 0 ? <span className="advanced-invalid"> · {invalidNote(invalid)}</span> : null}
        </span>{' '}
        <span className="hint">warmup, gradient accumulation, GradCache, strategy, dropout, seed, early stopping, Matryoshka, prompts</span>
      </summary>
      <div className="grid">
        {kit.num('warmupRatio', 'Warmup ratio', 'Share of steps the rate ramps up from 0; 0.1 is standard.', { min: 0, max: 1, step: 0.01 })}
        {kit.num('gradAccumSteps', 'Gradient accumulation', 'Batches summed into one step: the update of a batch this many times larger, in the memory of one.', { min: 1, step: 1 })}
        {kit.num(
          'miniBatchSize',
          'GradCache mini-batch (texts per forward pass)',
          'Larger batches of in-batch negatives in the memory of this many texts, for about one extra forward pass; same loss and gradients. 0 = off.',
          { min: 0, step: 1 },
        )}
        <Field label="Strategy" htmlFor="set-strategy" hint="Which weights train; BitFit trains only biases (fast, small).">
          <select id="set-strategy" value={settings.strategy} onChange={(e) => props.change({ strategy: e.currentTarget.value as StrategyChoice })}>
            <option value="full">full fine-tuning</option>
            <option value="bitfit">BitFit (biases only)</option>
            <option value="freeze_embeddings">freeze embeddings</option>
            <option value="freeze_layers">freeze first K layers</option>
          </select>
        </Field>
        {settings.strategy === 'freeze_layers'
          ? kit.num('freezeLayers', 'Frozen layers (K)', `Layers 0..K−1 stay fixed (model has ${model?.layers ?? '?'}).`, { min: 0, max: model?.layers ?? 12, step: 1 })
          : null}
        <DropoutField value={settings.dropout} onChange={(dropout) => props.change({ dropout })} />
        {kit.num('seed', 'Seed', 'Fixes shuffling and dropout for a repeatable run.', { step: 1 })}
        {kit.num('earlyStoppingPatience', 'Stop early after N evaluations without improvement', 'Ends the run once the primary metric has not improved for N evaluations in a row; 0 = off.', { min: 0, max: 100, step: 1 })}
        {props.recordType === 'group'
          ? kit.num('groupSize', 'Group size', 'Per query and epoch: one positive and N − 1 sampled negatives (FlagEmbedding’s train_group_size); 0 uses every negative.', { min: 0, max: 1024, step: 1 })
          : null}
        {kit.text('matryoshkaDims', 'Matryoshka widths', `Also train shorter embeddings: e.g. ${matryoshkaExample(model?.hiddenSize ?? 384)}; evaluation reports each width. Empty = off.`, 'off')}
        {kit.text('queryPrompt', 'Query prompt', `Put before each query (anchor; both sides of a scored pair), e.g. “query: ”. ${promptOrigin(model)}`, 'none')}
        {kit.text('documentPrompt', 'Document prompt', 'Put before each document (positive, negative), e.g. “passage: ”; saved with the model.', 'none')}
      </div>
    </details>
  );
}

/** Dropout: the model config's rates, off, 0.1, or the rate the form holds. */
function DropoutField(props: { value: TrainingSettings['dropout']; onChange: (value: TrainingSettings['dropout']) => void }) {
  const rates = [...new Set([0, 0.1, ...(typeof props.value === 'number' ? [props.value] : [])])];
  return (
    <Field label="Dropout" htmlFor="set-dropout" hint="Regularises pretrained models; off suits tiny models trained from scratch.">
      <select id="set-dropout" value={String(props.value)} onChange={(e) => props.onChange(e.currentTarget.value === 'config' ? 'config' : Number(e.currentTarget.value))}>
        <option value="config">model's config</option>
        {rates.map((d) => (
          <option key={d} value={String(d)}>
            {d === 0 ? 'off' : d}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** Where the prompts the form starts with came from, in words. */
function promptOrigin(model: ModelSummary | null): string {
  if (model === null || model.promptSource === 'none') return 'This model names no prompts; leave empty unless its card asks for one.';
  const pooled = model.includePrompt ? '' : ' Its pooling leaves the prompt’s tokens out.';
  return model.promptSource === 'model' ? `From the model’s config_sentence_transformers.json.${pooled}` : `What ${model.name}’s model card asks for.${pooled}`;
}

/** The full width and its halves down to 64 (or a quarter of it): "384, 192, 96". */
function matryoshkaExample(width: number): string {
  const dims = [width];
  while (dims.length < 4 && dims[dims.length - 1] / 2 >= Math.min(64, width / 4)) dims.push(Math.floor(dims[dims.length - 1] / 2));
  return dims.join(', ');
}
