/**
 * The settings step's "Advanced settings" section (#16 item 7): which fields are expert ones, kept closed behind
 * a <details> with sound defaults, and its summary line: how many of them differ from the loaded model's
 * defaults and how many are invalid (so that a closed section never hides a problem).
 */
import type { SettingsProblems, TrainingSettings } from './store/settingsSlice';

/** The expert fields, in the order the section shows them; the rest (loss, length, batch, rate, max length, evaluations) stay in view. */
export const ADVANCED_FIELDS = [
  'warmupRatio',
  'gradAccumSteps',
  'miniBatchSize',
  'strategy',
  'freezeLayers',
  'dropout',
  'seed',
  'earlyStoppingPatience',
  'groupSize',
  'matryoshkaDims',
  'queryPrompt',
  'documentPrompt',
] as const satisfies readonly (keyof TrainingSettings)[];

export type AdvancedField = (typeof ADVANCED_FIELDS)[number];

/** Whether the form shows and uses the field: the frozen layer count only with the strategy that freezes layers. */
function inUse(field: AdvancedField, settings: TrainingSettings): boolean {
  return field !== 'freezeLayers' || settings.strategy === 'freeze_layers';
}

/** The expert fields (in use) whose value differs from `defaults`: what the model and data set the form to. */
export function advancedChanges(settings: TrainingSettings, defaults: TrainingSettings): AdvancedField[] {
  return ADVANCED_FIELDS.filter((f) => inUse(f, settings) && settings[f] !== defaults[f]);
}

/** The expert fields (in use) the engine would refuse. */
export function advancedProblems(settings: TrainingSettings, problems: SettingsProblems): AdvancedField[] {
  return ADVANCED_FIELDS.filter((f) => inUse(f, settings) && problems[f] !== undefined);
}

/** The section's summary: "Advanced settings", then " · 2 changed" when any differ from the defaults. */
export function advancedSummary(changed: number): string {
  return changed > 0 ? `Advanced settings · ${changed} changed` : 'Advanced settings';
}

/** What the summary adds when fields inside are invalid: "1 invalid" (null: none), so a closed section shows it. */
export function invalidNote(invalid: number): string | null {
  return invalid > 0 ? `${invalid} invalid` : null;
}
