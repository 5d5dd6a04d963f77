/**
 * Step 4: loss and hyperparameters, each with a one-line hint. The everyday ones (loss, length, batch size with its
 * auto, learning rate with its suggestion, max length, evaluations) stay in view; the expert ones sit in a closed
 * "Advanced settings" section (./AdvancedSettings.tsx) with the model's sound defaults.
 */
import { useMemo } from 'react';
import { defaultLossFor, defaultLossReason, LOSSES, lossesFor, type LossName } from '../../engine/losses/catalog';
import { suggestLearningRate } from '../../engine/train/suggest';
import { Card, Field } from '../components';
import { useBridge } from '../context';
import { useStudio } from '../store';
import { currentPlan, maxStepsHint, modelDefaultSettings, settingsProblems } from '../store/settingsSlice';
import { AdvancedSettings } from './AdvancedSettings';
import { fieldKit } from './settingsFields';

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
  const kit = fieldKit(settings, problems, change);
  const defaults = useMemo(() => modelDefaultSettings(model, recordType), [model, recordType]);

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
        {kit.num('epochs', 'Epochs', `Passes over the ${trainCount} training records; 1–3 is typical.`, { min: 1, step: 1 })}
        {kit.num('maxSteps', 'Max steps', maxStepsHint(plan), { min: 0, step: 1 })}
        {kit.num('batchSize', 'Batch size', 'Records per step; larger batches give in-batch losses more negatives but need more memory.', { min: 1, step: 1 })}
        <BatchAuto disabled={!enabled} gradCache={settings.miniBatchSize > 0} />
        {kit.num('learningRate', 'Learning rate', 'Peak AdamW rate: 2e-5 for pretrained models, ~1e-3 from scratch.', { min: 0, step: 'any' })}
        <LearningRateSuggestion parameters={model?.parameters ?? null} current={settings.learningRate} onUse={(v) => change({ learningRate: v })} />
        {kit.num('maxLength', 'Max length', `Tokens per text (≤ ${model?.maxPositions ?? 512}); shorter is faster.`, { min: 2, max: model?.maxPositions ?? 512, step: 1 })}
        {kit.num('evaluations', 'Evaluations', 'Validation checks during the run, besides the base model at step 0 and each epoch end; the best one is kept (a checkpoint is saved every ~10% of the run).', { min: 0, max: 50, step: 1 })}
      </div>
      <AdvancedSettings kit={kit} settings={settings} defaults={defaults} problems={problems} change={change} model={model} recordType={recordType} />
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
