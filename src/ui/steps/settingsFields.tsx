/**
 * The settings step's inputs for number and text settings: a labelled Field with its hint, the engine's problem
 * with the value under it (aria-invalid, aria-describedby) and id `set-<key>`, which the e2e specs use.
 */
import type { ReactElement } from 'react';
import { Field } from '../components';
import type { SettingsProblems, TrainingSettings } from '../store/settingsSlice';

export type NumKey = { [K in keyof TrainingSettings]: TrainingSettings[K] extends number ? K : never }[keyof TrainingSettings];
export type TextKey = 'queryPrompt' | 'documentPrompt' | 'matryoshkaDims';
export type NumAttrs = { min?: number; max?: number; step?: number | 'any' };

/** Builds the inputs of the form's settings; each edit goes to `change`. */
export interface FieldKit {
  num: (key: NumKey, label: string, hint: string, attrs?: NumAttrs) => ReactElement;
  text: (key: TextKey, label: string, hint: string, placeholder: string) => ReactElement;
}

/** What a field's input says about its problem, if any. */
function invalidAttrs(key: keyof TrainingSettings, problems: SettingsProblems) {
  return problems[key] ? { 'aria-invalid': true, 'aria-describedby': `set-${key}-error` } : {};
}

export function fieldKit(settings: TrainingSettings, problems: SettingsProblems, change: (patch: Partial<TrainingSettings>) => void): FieldKit {
  return {
    num: (key, label, hint, attrs = {}) => (
      <Field label={label} htmlFor={`set-${key}`} hint={hint} error={problems[key]}>
        <input
          id={`set-${key}`}
          type="number"
          {...attrs}
          {...invalidAttrs(key, problems)}
          value={settings[key]}
          onChange={(e) => {
            const v = e.currentTarget.valueAsNumber;
            if (Number.isFinite(v)) change({ [key]: v });
          }}
        />
      </Field>
    ),
    text: (key, label, hint, placeholder) => (
      <Field label={label} htmlFor={`set-${key}`} hint={hint} error={problems[key]}>
        <input
          id={`set-${key}`}
          type="text"
          spellCheck={false}
          placeholder={placeholder}
          {...invalidAttrs(key, problems)}
          value={settings[key]}
          onChange={(e) => change({ [key]: e.currentTarget.value })}
        />
      </Field>
    ),
  };
}
