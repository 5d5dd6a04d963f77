/**
 * The mapping step's column renaming (uniem's `question1` → `sentence1`): each column of the training file as read,
 * with the name it goes by; applying the names renames them in the worker, which detects the mapping again.
 */
import { useState } from 'react';
import { useBridge } from '../context';
import type { DatasetSummary } from '../../worker/protocol';

/** The training file's columns as read, in order (`summary.columns` are the names after its renames). */
export function columnsAsRead(summary: Pick<DatasetSummary, 'columns' | 'renames'>): string[] {
  const readName = new Map(Object.entries(summary.renames).map(([from, to]) => [to, from]));
  return summary.columns.map((c) => readName.get(c) ?? c);
}

/** The renames typed (column as read → name), only those that change a name. */
export function typedRenames(asRead: readonly string[], typed: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of asRead) {
    const name = typed[c];
    if (name !== undefined && name.trim() !== c) out[c] = name;
  }
  return out;
}

/** Whether two sets of renames are the same (names compared trimmed, as the worker applies them). */
export function sameRenames(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] !== undefined && a[k].trim() === b[k].trim());
}

export function ColumnRenamer({ summary, disabled }: { summary: DatasetSummary; disabled: boolean }) {
  const bridge = useBridge();
  const asRead = columnsAsRead(summary);
  const current: Record<string, string> = Object.fromEntries(asRead.map((c) => [c, summary.renames[c] ?? c]));
  // The typed names belong to one file and its renames: a new file or applied names start the form afresh.
  const key = `${summary.fileName}\n${summary.columns.join('\n')}`;
  const [typed, setTyped] = useState<{ key: string; names: Record<string, string> }>({ key, names: current });
  const names = typed.key === key ? typed.names : current;
  const renamed = Object.keys(summary.renames).length;
  const changed = !sameRenames(typedRenames(asRead, names), typedRenames(asRead, current));

  return (
    <details className="plain-details" data-testid="column-renamer">
      <summary className="small">{renamed > 0 ? `Rename columns · ${renamed} renamed` : 'Rename columns'}</summary>
      <div className="stack">
        <div className="hint">Give columns the names your other files or tools use (e.g. question1 → sentence1): the fields are then detected by name, and a validation file with those names maps the same way.</div>
        <div className="grid">
          {asRead.map((c, i) => (
            <label key={c}>
              <span className="label-text">{c}</span>
              <input
                type="text"
                value={names[c] ?? c}
                disabled={disabled}
                spellCheck={false}
                aria-label={`New name of column ${c}`}
                data-testid={`rename-${i}`}
                onChange={(e) => setTyped({ key, names: { ...names, [c]: e.currentTarget.value } })}
              />
            </label>
          ))}
        </div>
        <div className="row">
          <button type="button" className="secondary" disabled={disabled || !changed} onClick={() => void bridge.renameColumns(typedRenames(asRead, names))}>
            Apply names
          </button>
          <button type="button" className="secondary" disabled={disabled || renamed === 0} onClick={() => void bridge.renameColumns({})}>
            Use the names as read
          </button>
        </div>
      </div>
    </details>
  );
}
