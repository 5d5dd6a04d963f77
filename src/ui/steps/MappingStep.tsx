/** Step 2: record type, the column of each field, skipped rows, label scale, validation split. */
import { OPTIONAL_RECORD_FIELDS, recordFields, type RecordField, type RecordType } from '../../engine/records';
import { suggestMappingForColumns } from '../mapping';
import { Card, ErrorNote, Field, Stat, WarningNote } from '../components';
import { useBridge } from '../context';
import { useStudio } from '../store';
import type { ColumnMapping, ColumnRef } from '../../engine/data';
import type { ShapeFacts } from '../../engine/data/shapeFacts';
import type { DatasetSummary, SplitChoice } from '../../worker/protocol';
import { ColumnRenamer } from './ColumnRenamer';
import { UNKNOWN_WARN_SHARE, type UnknownTokenShare } from '../../engine/unknownTokens';

const TYPE_LABELS: Record<RecordType, string> = {
  pair: 'pair (text, text_pos)',
  triplet: 'triplet (text, text_pos, text_neg)',
  scored_pair: 'scored pair (sentence1, sentence2, label)',
  group: 'group (query, lists of positives and negatives)',
  class_pair: 'class pair (sentence1, sentence2, class label)',
  labelled_text: 'labelled text (text, class label)',
  text: 'plain text (one text per row)',
};

export function MappingStep() {
  const bridge = useBridge();
  const dataset = useStudio((s) => s.dataset.summary);
  const validationFile = useStudio((s) => s.validationFile);
  const m = useStudio((s) => s.mapping);
  const training = useStudio((s) => s.training.status);
  const busy = training === 'running' || training === 'paused' || training === 'preparing';
  const enabled = dataset !== null && !busy;
  const columns = dataset?.columns ?? [];
  const summary = m.summary;

  const apply = (recordType: RecordType, cols: typeof m.columns, split: SplitChoice) => void bridge.applyMapping(recordType, cols, split);
  const setType = (t: RecordType) => apply(t, suggestMappingForColumns(t, columns, m.columns), m.split);
  const setColumn = (f: RecordField, c: string) => {
    const next: ColumnMapping = { ...m.columns };
    if (c === NONE) delete next[f];
    else if (c !== MULTI) next[f] = c;
    apply(m.recordType, next, m.split);
  };
  const fraction = m.split.kind === 'fraction' ? m.split.fraction : 0.1;
  const seed = m.split.kind === 'fraction' ? m.split.seed : 42;

  return (
    <Card step={2} title="Mapping" enabled={enabled} done={m.status === 'ready'}>
      {dataset ? <ColumnRenamer summary={dataset} disabled={!enabled} /> : null}
      <div className="grid">
        <Field label="Record type" htmlFor="record-type" hint="Detected from the column names or content; change it if it is wrong." wide>
          <select id="record-type" value={m.recordType} onChange={(e) => setType(e.currentTarget.value as RecordType)}>
            {(Object.keys(TYPE_LABELS) as RecordType[]).map((t) => (
              <option key={t} value={t}>
                {TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </Field>
        {recordFields(m.recordType).map((f) => (
          <Field key={f} label={f} htmlFor={`field-${f}`} hint={fieldHint(m.recordType, f)}>
            <select id={`field-${f}`} value={selectValue(m.columns[f], isOptional(m.recordType, f))} onChange={(e) => setColumn(f, e.currentTarget.value)}>
              {isOptional(m.recordType, f) ? <option value={NONE}>none</option> : (
                <option value="" disabled>
                  choose a column
                </option>
              )}
              {Array.isArray(m.columns[f]) ? <option value={MULTI}>{(m.columns[f] as readonly string[]).join(' + ')}</option> : null}
              {columns.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </Field>
        ))}
      </div>
      <div className="grid">
        <Field label="Validation" htmlFor="split-kind" hint="Held-out records for evaluation and the playground.">
          <select
            id="split-kind"
            value={m.split.kind}
            onChange={(e) => apply(m.recordType, m.columns, e.currentTarget.value === 'file' ? { kind: 'file' } : { kind: 'fraction', fraction, seed })}
          >
            <option value="fraction">split of this file</option>
            <option value="file" disabled={validationFile.status !== 'ready'}>
              separate validation file
            </option>
          </select>
        </Field>
        {m.split.kind === 'fraction' ? (
          <>
            <Field label="Validation share" htmlFor="split-fraction" hint="Fraction of records held out, e.g. 0.1.">
              <input
                id="split-fraction"
                type="number"
                min={0.01}
                max={0.9}
                step={0.01}
                defaultValue={fraction}
                key={`f${fraction}`}
                onBlur={(e) => apply(m.recordType, m.columns, { kind: 'fraction', fraction: Number(e.currentTarget.value), seed })}
              />
            </Field>
            <Field label="Split seed" htmlFor="split-seed" hint="Same seed, same split.">
              <input
                id="split-seed"
                type="number"
                defaultValue={seed}
                key={`s${seed}`}
                onBlur={(e) => apply(m.recordType, m.columns, { kind: 'fraction', fraction, seed: Number(e.currentTarget.value) })}
              />
            </Field>
          </>
        ) : null}
        <Field label="Validation file" htmlFor="validation-file" hint="Optional: a separate file, mapped like this one.">
          <input
            id="validation-file"
            type="file"
            accept=".jsonl,.json,.csv,.tsv,.txt"
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              if (file) void bridge.loadDataset('validation', { kind: 'file', file });
            }}
          />
        </Field>
      </div>
      <ErrorNote message={validationFile.error} />
      <ErrorNote message={m.error} testId="mapping-error" />
      <WarningNote message={byOrderNote(dataset?.detected ?? null, m.recordType, m.columns)} testId="mapping-note" />
      {summary ? (
        <div className="stack">
          <div className="stats">
            <Stat label="Usable rows" value={<span data-testid="mapping-kept">{summary.kept.toLocaleString('en-US')}</span>} />
            <Stat label="Skipped" value={summary.skipped.toLocaleString('en-US')} />
            <Stat label="Training" value={summary.trainCount.toLocaleString('en-US')} />
            <Stat label="Validation" value={summary.validationCount.toLocaleString('en-US')} />
            {summary.labelScale ? <Stat label="Labels" value={<span data-testid="label-scale">{`${summary.labelScale.normalisedFrom} → 0..1`}</span>} /> : null}
            {summary.duplicates > 0 ? <Stat label="Duplicates (kept)" value={summary.duplicates} /> : null}
          </div>
          {summary.skippedRows.length > 0 ? (
            <div className="warning">
              <strong>Skipped rows</strong>
              <ul>
                {summary.skippedRows.map((r, i) => (
                  <li key={i}>{r.row > 0 ? `row ${r.row}: ${r.reason}` : r.reason}</li>
                ))}
              </ul>
            </div>
          ) : null}
          <ShapeNotes shape={summary.shape} />
          <UnknownTokens shares={m.unknownTokens} />
        </div>
      ) : null}
    </Card>
  );
}

/** Select values that are not columns: an optional field left unmapped, several columns read as one list. */
const NONE = '\u0000none';
const MULTI = '\u0000multi';

function isOptional(type: RecordType, field: RecordField): boolean {
  return (OPTIONAL_RECORD_FIELDS[type] as readonly string[]).includes(field);
}

function selectValue(ref: ColumnRef | undefined, optional: boolean): string {
  if (ref === undefined) return optional ? NONE : '';
  return typeof ref === 'string' ? ref : MULTI;
}

/** What a field of a record type holds, in one line. */
export function fieldHint(type: RecordType, field: RecordField): string {
  if (field === 'label') {
    return type === 'class_pair' || type === 'labelled_text' ? 'Class label: whole numbers or names.' : 'Numeric similarity; rescaled to 0..1.';
  }
  if (type === 'group') {
    if (field === 'text_pos') return 'A list column of positives (one is drawn per query each epoch).';
    if (field === 'text_neg') return 'Optional: a list column (or negative_1..k columns) of hard negatives.';
    if (field === 'pos_scores' || field === 'neg_scores') return 'Optional: teacher scores, one per item of the list.';
    if (field === 'prompt') return 'Optional: an instruction put before the query.';
  }
  return 'Column holding this text.';
}

/** Classes with their counts, a group's list sizes, binary labels, and the shape's note. */
function ShapeNotes({ shape }: { shape: ShapeFacts }) {
  const lists = shape.lists.map((l) => `${l.field}: ${l.min}–${l.max} per query (mean ${l.mean.toFixed(1)})`);
  return (
    <>
      {shape.classes ? (
        <div className="stats" data-testid="class-counts">
          <Stat label="Classes" value={shape.classes.length} />
          {shape.classes.slice(0, 12).map((c) => (
            <Stat key={c.name} label={`“${c.name}”`} value={c.count.toLocaleString('en-US')} />
          ))}
          {shape.classes.length > 12 ? <Stat label="More classes" value={shape.classes.length - 12} /> : null}
        </div>
      ) : null}
      {lists.length > 0 ? (
        <p className="hint" data-testid="list-sizes">
          {lists.join('; ')}
          {shape.teacherScores ? '; teacher scores on every record' : ''}
        </p>
      ) : null}
      {shape.binary ? <p className="hint">Every label is 0 or 1: these are binary pairs.</p> : null}
      <WarningNote message={shape.note} testId="shape-note" />
    </>
  );
}

/** Percent with one decimal below 10 % (0.4 %), whole above. */
export function formatShare(share: number): string {
  const pct = share * 100;
  if (pct === 0) return '0 %';
  return `${pct < 10 ? pct.toFixed(1) : Math.round(pct)} %`;
}

/** The warning shown when a column's unknown-token share is above UNKNOWN_WARN_SHARE, or null. */
export function unknownTokensWarning(shares: UnknownTokenShare[] | null): string | null {
  const bad = (shares ?? []).filter((c) => c.share > UNKNOWN_WARN_SHARE);
  if (bad.length === 0) return null;
  const cols = bad.map((c) => `${formatShare(c.share)} in "${c.column}"`).join(', ');
  return `The model cannot read these texts: ${cols} of the tokens are unknown to its vocabulary ([UNK]). Texts made of [UNK] embed alike, so training cannot learn from them. Pick a model whose vocabulary covers the language, e.g. a multilingual one.`;
}

/** Per mapped text column, the share of tokens unknown to the loaded model, and a warning above 5 %. */
function UnknownTokens({ shares }: { shares: UnknownTokenShare[] | null }) {
  if (shares === null) return null;
  return (
    <div className="stack" data-testid="unknown-tokens">
      <div className="stats">
        {shares.map((c) => (
          <Stat key={c.field} label={`Unknown tokens in "${c.column}"`} value={<span data-testid={`unknown-share-${c.field}`}>{`${formatShare(c.share)} of tokens unknown to this model`}</span>} />
        ))}
      </div>
      <WarningNote message={unknownTokensWarning(shares)} testId="unknown-tokens-warning" />
    </div>
  );
}

/** The detection's note (columns chosen by order: no name recognised), while the mapping is still the detected one. */
function byOrderNote(detected: DatasetSummary['detected'], recordType: RecordType, columns: ColumnMapping): string | null {
  if (detected === null || detected.note === null || detected.recordType !== recordType) return null;
  const same = recordFields(recordType).every((f) => String(detected.mapping[f] ?? "") === String(columns[f] ?? ""));
  return same ? detected.note : null;
}
