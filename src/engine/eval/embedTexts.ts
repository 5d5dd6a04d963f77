/**
 * Helpers the evaluators share: a table of unique (role, text) entries, embedding every entry once through an
 * EmbedFn with its contract checked, and the "too few records" error. Every evaluator imports them from here.
 */
import { EngineError } from '../errors';
import { countNonFinite } from '../model/finite';
import type { TextRole } from '../prompts';
import { describeValue } from '../untrusted';

/** Embeds a batch of texts of one role (which decides their prompt); returns one vector per text, in order. */
export type EmbedFn = (texts: string[], role: TextRole) => Promise<Float32Array[]>;

/** Unique (role, text) entries in first-seen order, with an index for each: a text is embedded once per role. */
export class TextTable {
  readonly entries: { text: string; role: TextRole }[] = [];
  private readonly ids = new Map<string, number>();

  id(text: string, role: TextRole): number {
    const key = `${role}\u0000${text}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.entries.length;
      this.ids.set(key, id);
      this.entries.push({ text, role });
    }
    return id;
  }
}

/** Embeds every entry of `table`, one call per role, and checks that `embed` kept its contract. */
export async function embedAll(table: TextTable, embed: EmbedFn, who: string): Promise<Float32Array[]> {
  const vectors: Float32Array[] = new Array(table.entries.length);
  for (const role of ['query', 'document', 'plain'] as const) {
    const ids = table.entries.flatMap((e, i) => (e.role === role ? [i] : []));
    if (ids.length === 0) continue;
    const got = await embed(ids.map((i) => table.entries[i].text), role);
    if (got.length !== ids.length) throw new Error(`${who}: embed returned ${got.length} vectors for ${ids.length} texts`);
    ids.forEach((id, k) => (vectors[id] = got[k]));
  }
  const dim = vectors[0]?.length ?? 0;
  vectors.forEach((v, i) => {
    if (v.length !== dim) throw new Error(`${who}: embedding ${i} has dimension ${v.length}, expected ${dim}`);
    if (countNonFinite(v).count > 0) {
      throw new EngineError(
        'bad_config',
        `${who}: the model embeds the text ${describeValue(table.entries[i].text)} as NaN or infinite values, so no metric can be computed: its weights are broken (a diverged run?). Evaluate another model.`,
      );
    }
  });
  return vectors;
}

/** Throws a bad_dataset EngineError when the evaluation set has fewer than `min` records. */
export function requireRecords(count: number, min: number, who: string, kind: string): void {
  if (count < min) {
    throw new EngineError(
      'bad_dataset',
      `${who}: the evaluation set has ${count} ${kind} record(s), it needs at least ${min}. ` +
        'Add records to the evaluation split or choose a larger one.',
    );
  }
}
