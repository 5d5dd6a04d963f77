/**
 * Renaming a dataset's columns before mapping (uniem's examples rename `question1` → `sentence1` so that the
 * loaders find their fields): names are checked against the file's columns, and the rows are rewritten under the
 * new names, so that detection by name, the validation file's mapping by name and the exported records all use them.
 */
import { EngineError } from '../errors';
import type { ParsedDataset } from './types';

/** Old column name → new name; a column not named keeps its name. */
export type ColumnRenames = Readonly<Record<string, string>>;

/** Longest column name accepted. */
const MAX_NAME = 200;

const shown = (s: string) => (s.length > 60 ? `'${s.slice(0, 59)}…'` : `'${s}'`);

/**
 * The renames that change something, names trimmed; an unknown old name, an empty or overlong new name, or two
 * columns that would end up with one name is a `bad_option` error naming the file and the columns.
 */
export function checkRenames(columns: readonly string[], renames: ColumnRenames, fileName: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [from, rawTo] of Object.entries(renames)) {
    if (!columns.includes(from)) throw new EngineError('bad_option', `${fileName}: there is no column ${shown(from)} to rename; its columns are ${columns.map(shown).join(', ')}.`);
    const to = rawTo.trim();
    if (to === '') throw new EngineError('bad_option', `${fileName}: the new name of column ${shown(from)} is empty; type a name or keep the old one.`);
    if (to.length > MAX_NAME) throw new EngineError('bad_option', `${fileName}: the new name of column ${shown(from)} is longer than ${MAX_NAME} characters.`);
    if (to !== from) out[from] = to;
  }
  const owners = new Map<string, string>();
  for (const c of columns) {
    const name = out[c] ?? c;
    const other = owners.get(name);
    if (other !== undefined) throw new EngineError('bad_option', `${fileName}: columns ${shown(other)} and ${shown(c)} would both be called ${shown(name)}; give each column its own name.`);
    owners.set(name, c);
  }
  return out;
}

/** The dataset with its columns renamed (column order kept); the same object when nothing changes. */
export function renameColumns(parsed: ParsedDataset, renames: ColumnRenames, fileName: string): ParsedDataset {
  const checked = checkRenames(parsed.columns, renames, fileName);
  if (Object.keys(checked).length === 0) return parsed;
  const name = (c: string) => checked[c] ?? c;
  const rows = parsed.rows.map((row) => {
    const out: Record<string, unknown> = {};
    // defineProperty: a column named __proto__ stays a column.
    for (const [k, v] of Object.entries(row)) Object.defineProperty(out, name(k), { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  });
  return { ...parsed, columns: parsed.columns.map(name), rows };
}
