/** Step 4: loss and hyperparameters, each with a one-line hint. */
import { defaultLossFor, defaultLossReason, LOSSES, lossesFor, type LossName } from '../../engine/losses/catalog';
import { suggestLearningRate } from '../../engine/train/suggest';
import { Card, Field } from '../components';
import { useBridge } from '../context';
import type { ModelSummary } from '../../worker/protocol';
import { useStudio } from '../store';
import { currentPlan, maxStepsHint, settingsProblems, type StrategyChoice, type TrainingSettings } from '../store/settingsSlice';

type NumKey = { [K in keyof TrainingSettings]: TrainingSettings[K] extends number ? K : never }[keyof TrainingSettings];

/** Where the prompts the form starts with came from, in words. */
function promptOrigin(model: ModelSummary | null): string {
  if (model === null || model.promptSource === 'none') return 'This model names no prompts; leave empty unless its card asks for one.';
  const pooled = model.includePrompt ? '' : ' Its pooling leaves the prompt’s tokens out.';
  return model.promptSource === 'model' ? `From the model’s config_sentence_transformers.json.${pooled}` : `What ${model.name}’s model card asks for.${pooled}`;
}

export function SettingsStep() {
  const settings = useStudio((s) => s.settings);
  const change = useStudio((s) => s.settingsChanged);
  const recordType = useStudio((s) => s.mapping.recordType);
  const binary = useStudio((s) => s.mapping.summary?.shape.binary ?? false);
  const trainCount = useStudio((s) => s.mapping.summary?.trainCount ?? 0);
  const model = useStudio((s) => s.model.summary);
  const plan = useStudio(currentPlan);
  const training = useStudio((s) => s.training.status);
  const busy = training === 'running' || training === 'paused' || training === 'preparing';
  const enabled = model !== null && trainCount > 0 && !busy;
  const problems = settingsProblems(settings, model?.maxPositions ?? null, model?.hiddenSize ?? null);

  const prompt = (key: 'queryPrompt' | 'documentPrompt', label: string, hint: string) => (
    <Field label={label} htmlFor={`set-${key}`} hint={hint} error={problems[key]}>
      <input
        id={`set-${key}`}
        type="text"
        spellCheck={false}
        placeholder="none"
        aria-invalid={problems[key] ? true : undefined}
        aria-describedby={problems[key] ? `set-${key}-error` : undefined}
        value={settings[key]}
        onChange={(e) => change({ [key]: e.currentTarget.value })}
      />
    </Field>
  );

  const num = (key: NumKey, label: string, hint: string, attrs: { min?: number; max?: number; step?: number | 'any' } = {}) => (
    <Field label={label} htmlFor={`set-${key}`} hint={hint} error={problems[key]}>
      <input
        id={`set-${key}`}
        type="number"
        {...attrs}
        aria-invalid={problems[key] ? true : undefined}
        aria-describedby={problems[key] ? `set-${key}-error` : undefined}
        value={settings[key]}
        onChange={(e) => {
          const v = e.currentTarget.valueAsNumber;
          if (Number.isFinite(v)) change({ [key]: v });
        }}
      />
    </Field>
  );

  return (
    <Card step={4} title="Training settings" enabled={enabled} done={enabled}>
      <DefaultsNote />
      <div className="grid">
        <Field label="Loss" htmlFor="set-loss" hint={lossHint(settings.loss, recordType, binary)} wide>
          <select id="set-loss" value={settings.loss} onChange={(e) => change({ loss: e.currentTarget.value as LossName })}>
            {lossesFor(recordType, binary).map((l) => (
              <option key={l} value={l}>
                {LOSSES[l].label}
                {l === defaultLossFor(recordType, binary) ? ' (suggested)' : ''}
              </option>
            ))}
          </select>
        </Field>
        {num('epochs', 'Epochs', `Passes over the ${trainCount} training records; 1–3 is typical.`, { min: 1, step: 1 })}
        {num('maxSteps', 'Max steps', maxStepsHint(plan), { min: 0, step: 1 })}
        {num('batchSize', 'Batch size', 'Records per step; larger batches give in-batch losses more negatives but need more memory.', { min: 1, step: 1 })}
        <BatchAuto disabled={!enabled} gradCache={settings.miniBatchSize > 0} />
        {num('gradAccumSteps', 'Gradient accumulation', 'Batches summed into one step: the update of a batch this many times larger, in the memory of one.', { min: 1, step: 1 })}
        {num(
          'miniBatchSize',
          'GradCache mini-batch (texts per forward pass)',
          'Larger batches of in-batch negatives in the memory of this many texts, for about one extra forward pass; same loss and gradients. 0 = off.',
          { min: 0, step: 1 },
        )}
        {num('learningRate', 'Learning rate', 'Peak AdamW rate: 2e-5 for pretrained models, ~1e-3 from scratch.', { min: 0, step: 'any' })}
        <LearningRateSuggestion parameters={model?.parameters ?? null} current={settings.learningRate} onUse={(v) => change({ learningRate: v })} />
        {num('warmupRatio', 'Warmup ratio', 'Share of steps the rate ramps up from 0; 0.1 is standard.', { min: 0, max: 1, step: 0.01 })}
        {num('maxLength', 'Max length', `Tokens per text (≤ ${model?.maxPositions ?? 512}); shorter is faster.`, { min: 2, max: model?.maxPositions ?? 512, step: 1 })}
        {prompt('queryPrompt', 'Query prompt', `Put before each query (anchor; both sides of a scored pair), e.g. “query: ”. ${promptOrigin(model)}`)}
        {prompt('documentPrompt', 'Document prompt', 'Put before each document (positive, negative), e.g. “passage: ”; saved with the model.')}
        <Field label="Strategy" htmlFor="set-strategy" hint="Which weights train; BitFit trains only biases (fast, small).">
          <select id="set-strategy" value={settings.strategy} onChange={(e) => change({ strategy: e.currentTarget.value as StrategyChoice })}>
            <option value="full">full fine-tuning</option>
            <option value="bitfit">BitFit (biases only)</option>
            <option value="freeze_embeddings">freeze embeddings</option>
            <option value="freeze_layers">freeze first K layers</option>
          </select>
        </Field>
        {settings.strategy === 'freeze_layers'
          ? num('freezeLayers', 'Frozen layers (K)', `Layers 0..K−1 stay fixed (model has ${model?.layers ?? '?'}).`, { min: 0, max: model?.layers ?? 12, step: 1 })
          : null}
        {num('seed', 'Seed', 'Fixes shuffling and dropout for a repeatable run.', { step: 1 })}
        <Field label="Dropout" htmlFor="set-dropout" hint="Regularises pretrained models; off suits tiny models trained from scratch.">
          <select
            id="set-dropout"
            value={String(settings.dropout)}
            onChange={(e) => change({ dropout: e.currentTarget.value === 'config' ? 'config' : Number(e.currentTarget.value) })}
          >
            <option value="config">model's config</option>
            {[...new Set([0, 0.1, ...(typeof settings.dropout === 'number' ? [settings.dropout] : [])])].map((d) => (
              <option key={d} value={String(d)}>
                {d === 0 ? 'off' : d}
              </option>
            ))}
          </select>
        </Field>
        {num('evaluations', 'Evaluations', 'Validation checks during the run, besides the base model at step 0 and each epoch end; the best one is kept (a checkpoint is saved every ~10% of the run).', { min: 0, max: 50, step: 1 })}
        {num('earlyStoppingPatience', 'Stop early after N evaluations without improvement', 'Ends the run once the primary metric has not improved for N evaluations in a row; 0 = off.', { min: 0, max: 100, step: 1 })}
        {recordType === 'group'
          ? num('groupSize', 'Group size', 'Per query and epoch: one positive and N − 1 sampled negatives (FlagEmbedding’s train_group_size); 0 uses every negative.', { min: 0, max: 1024, step: 1 })
          : null}
        <Field
          label="Matryoshka widths"
          htmlFor="set-matryoshkaDims"
          hint={`Also train shorter embeddings: e.g. ${matryoshkaExample(model?.hiddenSize ?? 384)}; evaluation reports each width. Empty = off.`}
          error={problems.matryoshkaDims}
        >
          <input
            id="set-matryoshkaDims"
            type="text"
            spellCheck={false}
            placeholder="off"
            aria-invalid={problems.matryoshkaDims ? true : undefined}
            aria-describedby={problems.matryoshkaDims ? 'set-matryoshkaDims-error' : undefined}
            value={settings.matryoshkaDims}
            onChange={(e) => change({ matryoshkaDims: e.currentTarget.value })}
          />
        </Field>
      </div>
    </Card>
  );
}

/** What the demo model's suggested defaults changed in the form, and why; dismissable, replaced on the next model load. */
function DefaultsNote() {
  const note = useStudio((s) => s.defaultsNote);
  const dismiss = useStudio((s) => s.defaultsNoteDismissed);
  if (note === null) return null;
  return (
    <div className="warning" role="status" data-testid="defaults-note">
      {note}{' '}
      <button type="button" className="secondary" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}

/** The loss's one-line description, and why it is the suggested one for this data when it is. */
function lossHint(loss: LossName, recordType: Parameters<typeof defaultLossFor>[0], binary: boolean): string {
  const why = loss === defaultLossFor(recordType, binary) ? ` Suggested: ${defaultLossReason(recordType, binary)}.` : '';
  return `${LOSSES[loss].description}${why}`;
}

/** The full width and its halves down to 64 (or a quarter of it): "384, 192, 96". */
function matryoshkaExample(width: number): string {
  const dims = [width];
  while (dims.length < 4 && dims[dims.length - 1] / 2 >= Math.min(64, width / 4)) dims.push(Math.floor(dims[dims.length - 1] / 2));
  return dims.join(', ');
}

/** The engine's suggested rate for the model's size, its reason, and a button to take it when the field differs. */
function LearningRateSuggestion(props: { parameters: number | null; current: number; onUse: (value: number) => void }) {
  if (props.parameters === null || !(props.parameters > 0)) return null;
  const s = suggestLearningRate(props.parameters);
  return (
    <p className="hint field-wide" data-testid="lr-suggestion">
      Suggested learning rate {s.value}: {s.reason}.{' '}
      {props.current !== s.value ? (
        <button type="button" className="secondary" onClick={() => props.onUse(s.value)}>
          Use {s.value}
        </button>
      ) : (
        'In use; edit the field to override.'
      )}
    </p>
  );
}

/**
 * Batch size: auto: asks the worker for the largest batch (with GradCache on, the mini-batch) the memory estimate
 * allows on this backend, puts it in the field and says why; an edit of the field overrides it.
 */
function BatchAuto(props: { disabled: boolean; gradCache: boolean }) {
  const bridge = useBridge();
  const suggestion = useStudio((s) => s.batchSuggestion);
  return (
    <div className="hint field-wide" data-testid="batch-auto">
      <button type="button" className="secondary" disabled={props.disabled} onClick={() => void bridge.suggestBatch()}>
        {props.gradCache ? 'GradCache mini-batch: auto' : 'Batch size: auto'}
      </button>{' '}
      {suggestion === null ? (
        'The largest power of two (up to 256 and the records) the memory estimate allows on this backend.'
      ) : 'problem' in suggestion ? (
        <span role="alert">{suggestion.problem}</span>
      ) : (
        <span>Auto: {suggestion.reason}.</span>
      )}
    </div>
  );
}
