/**
 * Reading a dataset file for `train` and `eval`: streamed through the engine's parser, record type and columns
 * detected unless --record-type / --columns say otherwise (a partial --columns keeps the detected rest), rows
 * mapped with the engine's validation, and what happened reported on stderr.
 */
import { basename } from 'node:path';
import { refColumns, shownRef } from '../engine/data/detect';
import { detectMapping, listColumns, mapDatasetAsync, parseDatasetFile, suggestMapping, type ColumnMapping, type MappingResult } from '../engine/data';
import { RECORD_FIELDS, recordFields, RECORD_TYPES, type RecordType } from '../engine/records';
import { EngineError } from '../engine/errors';
import { renameColumns } from '../engine/data/rename';
import type { ParsedDataset } from '../engine/data/types';
import { DEFAULT_MAX_ROWS, parseHubDataUrl, readHubDataset, type HubDataChoice } from '../worker/hubDataset';
import { CliError, type FlagSpec, type Flags } from './args';
import { diskHubCache, hubCacheDir } from './hubCache';
import { openFileBlob, type CliIo } from './io';
import { interruptible, megabytes, progressTicker } from './phases';
import { plural } from './report';

export const RECORD_TYPE_CHOICES = ['auto', 'pair', 'triplet', 'scored_pair', 'group', 'class_pair', 'labelled_text', 'text'] as const;
export type RecordTypeChoice = (typeof RECORD_TYPE_CHOICES)[number];

/** How the user asked a file to be mapped. */
export interface DatasetChoice {
  recordType: RecordTypeChoice;
  /** field → column, possibly partial. */
  columns: Record<string, string>;
  /** --rename: column as read → new name, applied before detection and --columns (which use the new names). */
  renames?: Record<string, string>;
  /** For --data hf://datasets/ID: --data-config, --data-split, --max-rows. */
  hub?: HubDataChoice;
  /** The folder that caches Hub answers (see ./hubCache.ts); null or absent: no cache (--no-cache). */
  cache?: string | null;
}

/** The flags of a Hub dataset (--data hf://datasets/ID). */
export const HUB_DATA_FLAGS: FlagSpec = {
  'data-config': { type: 'string' },
  'data-split': { type: 'string' },
  'max-rows': { type: 'string' },
  'no-cache': { type: 'boolean' },
};

/** Skipped rows listed on stderr; the rest are counted. */
const SHOWN_SKIPS = 5;

const ALL_FIELDS: readonly string[] = [...new Set(RECORD_TYPES.flatMap((t) => recordFields(t)))];

export function datasetChoice(flags: Flags): DatasetChoice {
  const columns = flags.keyValues('columns') ?? {};
  for (const field of Object.keys(columns)) {
    if (!ALL_FIELDS.includes(field)) throw new CliError(`--columns: unknown field '${field}'; fields are ${ALL_FIELDS.join(', ')}`);
  }
  const hub: HubDataChoice = {};
  const config = flags.string('data-config');
  const split = flags.string('data-split');
  const maxRows = flags.number('max-rows', { min: 1, integer: true });
  if (config !== undefined) hub.config = config;
  if (split !== undefined) hub.split = split;
  if (maxRows !== undefined) hub.maxRows = maxRows;
  const cache = flags.bool('no-cache') ? null : hubCacheDir(process.env);
  const renames = flags.keyValues('rename', 'old=new column names separated by commas (e.g. question1=sentence1,question2=sentence2)') ?? {};
  return { recordType: flags.choice('record-type', RECORD_TYPE_CHOICES) ?? 'auto', columns, renames, hub, cache };
}

/** --columns as a mapping: a group's text_pos / text_neg may name several columns joined by `+`. */
function columnRefs(type: RecordType, columns: Record<string, string>): ColumnMapping {
  const out: ColumnMapping = {};
  for (const [field, value] of Object.entries(columns)) {
    const list = type === 'group' && (field === 'text_pos' || field === 'text_neg') && value.includes('+');
    out[field as keyof ColumnMapping] = list ? value.split('+') : value;
  }
  return out;
}

/** The record type the given columns imply, if they imply one. */
function typeFromColumns(columns: Record<string, string>): RecordType | null {
  const fields = Object.keys(columns);
  if (fields.some((f) => (RECORD_FIELDS.scored_pair as readonly string[]).includes(f))) return 'scored_pair';
  return fields.includes('text_neg') ? 'triplet' : null;
}

/** Record type and complete mapping: explicit choices first, detection for the rest. */
export function resolveMapping(
  choice: DatasetChoice,
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
  file: string,
): { type: RecordType; mapping: ColumnMapping; detected: boolean; note?: string } {
  const guess = detectMapping(columns, rows);
  const explicit = choice.recordType !== 'auto' ? choice.recordType : typeFromColumns(choice.columns);
  const given = Object.keys(choice.columns);
  const fits = (t: RecordType): boolean => given.every((f) => (RECORD_FIELDS[t] as readonly string[]).includes(f));
  const type = explicit ?? (guess && fits(guess.type) ? guess.type : given.length > 0 ? 'pair' : undefined);
  if (type === undefined) {
    throw new CliError(
      `cannot tell which columns of ${file} hold the texts (columns: ${listColumns(columns)}); ` +
        'pass --record-type and --columns, e.g. --record-type pair --columns text=question,text_pos=answer',
    );
  }
  const fields: readonly string[] = recordFields(type);
  const required: readonly string[] = RECORD_FIELDS[type];
  for (const field of Object.keys(choice.columns)) {
    if (!fields.includes(field)) throw new CliError(`--columns: a ${type} record has no field '${field}'; its fields are ${fields.join(', ')}`);
  }
  const byField = columnRefs(type, choice.columns);
  for (const [field, ref] of Object.entries(byField)) {
    for (const column of refColumns(ref)) {
      if (!columns.includes(column)) throw new CliError(`--columns: ${file} has no column '${column}' (for ${field}); its columns are ${listColumns(columns)}`);
    }
  }
  const taken = Object.values(byField).flatMap((ref) => refColumns(ref));
  const suggested = guess?.type === type ? guess.mapping : suggestMapping(type, columns, rows);
  const mapping: ColumnMapping = {};
  for (const field of fields) {
    const ref = byField[field as keyof ColumnMapping] ?? suggested[field as keyof ColumnMapping];
    if (ref !== undefined && (byField[field as keyof ColumnMapping] !== undefined || !refColumns(ref).some((c) => taken.includes(c)))) mapping[field as keyof ColumnMapping] = ref;
  }
  // Columns an override displaced go to the fields left without one (text=B on a detected text=A,text_pos=B → text_pos=A).
  const used = new Set(Object.values(mapping).flatMap((ref) => refColumns(ref)));
  const freed = required.map((f) => suggested[f as keyof ColumnMapping]).filter((c): c is string => typeof c === 'string' && !used.has(c));
  for (const field of required) {
    if (mapping[field as keyof ColumnMapping] === undefined && field !== 'label' && freed.length > 0) mapping[field as keyof ColumnMapping] = freed.shift();
  }
  const unmapped = required.filter((f) => mapping[f as keyof ColumnMapping] === undefined);
  if (unmapped.length > 0) {
    throw new CliError(
      `cannot tell which column of ${file} holds ${unmapped.join(' and ')} of a ${type} record; ` +
        `add ${unmapped.map((f) => `${f}=COLUMN`).join(',')} to --columns (columns: ${listColumns(columns)})`,
    );
  }
  const detected = explicit === null && given.length === 0;
  return detected && guess?.note !== undefined ? { type, mapping, detected, note: guess.note } : { type, mapping, detected };
}

/** The dataset with --rename applied; a rename that cannot be done is a usage error naming the file and column. */
function withRenames(parsed: ParsedDataset, renames: Record<string, string>, file: string): ParsedDataset {
  try {
    return renameColumns(parsed, renames, file);
  } catch (e) {
    if (e instanceof EngineError) throw new CliError(`--rename: ${e.message.replace(/\.$/, '')}`);
    throw e;
  }
}

/** Files this large are announced before they are read (progress lines follow after a second). */
const ANNOUNCED_BYTES = 10e6;

/**
 * Reads, maps and reports a dataset; throws when no row is usable. Ctrl-C stops it (exit 130, "interrupted while
 * reading PATH"); a read or a mapping that takes over a second prints progress.
 */
export function readDataset(path: string, choice: DatasetChoice, io: CliIo, what = 'data'): Promise<MappingResult> {
  return interruptible(io, `reading ${path}`, (signal) => readAndMap(path, choice, io, what, signal));
}

/**
 * Reads a split of a Hub dataset (`hf://datasets/ID`, optionally `?config=…&split=…`; the flags win for --data):
 * endpoint from HF_ENDPOINT, token from HF_TOKEN; answers cached in `choice.cache` for an offline second read.
 */
async function readHub(path: string, choice: DatasetChoice, io: CliIo, what: string, signal: AbortSignal): Promise<{ parsed: ParsedDataset; format: string }> {
  const url = parseHubDataUrl(path);
  if (url === null) throw new CliError(`${path} is not a Hub dataset; write hf://datasets/OWNER/NAME`);
  const tick = progressTicker(io);
  const env = process.env;
  const asked: HubDataChoice = { config: url.config, split: url.split, ...choice.hub };
  const maxRows = asked.maxRows ?? DEFAULT_MAX_ROWS;
  const cache = choice.cache ?? null;
  let offline = false;
  const onHit = () => {
    if (!offline) io.err(`${what}: ${path}: the Hub cannot be reached; reading the cached copy in ${cache}`);
    offline = true;
  };
  try {
    const read = await readHubDataset(url.id, { ...asked, maxRows }, {
      endpoint: env.HF_ENDPOINT || undefined,
      token: env.HF_TOKEN ?? null,
      openCache: async () => (cache === null ? null : diskHubCache(cache, { onHit })),
      signal,
      onProgress: (done, total) => tick(() => `${what}: downloading ${path}: ${megabytes(done)} of ${megabytes(total ?? done)} MB`),
    });
    const format = `${read.source === 'parquet' ? 'parquet' : read.parsed.format}, config ${read.config}, split ${read.split}`;
    if (read.truncated) io.err(`${what}: ${path}: read the first ${plural(maxRows, 'row')} (--max-rows)`);
    return { parsed: read.parsed, format };
  } catch (e) {
    if (e instanceof EngineError && e.code !== 'cancelled') throw new CliError(e.message);
    throw e;
  }
}

async function readLocal(path: string, io: CliIo, what: string, signal: AbortSignal): Promise<{ parsed: ParsedDataset; format: string }> {
  const tick = progressTicker(io);
  const blob = await openFileBlob(path);
  const total = megabytes(blob.size);
  if (blob.size >= ANNOUNCED_BYTES) io.err(`${what}: reading ${path} (${total} MB)`);
  const parsed = await parseDatasetFile(blob, { fileName: basename(path), signal }, (p) =>
    tick(() => `${what}: reading ${path}: ${p.rowsParsed.toLocaleString('en-US')} rows, ${megabytes(p.bytesRead)} of ${total} MB`),
  );
  return { parsed, format: parsed.format };
}

async function readAndMap(path: string, choice: DatasetChoice, io: CliIo, what: string, signal: AbortSignal): Promise<MappingResult> {
  const hub = path.startsWith('hf://');
  const file = hub ? path : basename(path);
  const tick = progressTicker(io);
  const read = hub ? await readHub(path, choice, io, what, signal) : await readLocal(path, io, what, signal);
  const { format } = read;
  const parsed = withRenames(read.parsed, choice.renames ?? {}, file);
  if (parsed.rows.length === 0) {
    const why = parsed.problems[0] ? `: line ${parsed.problems[0].row}: ${parsed.problems[0].message}` : ' (is it empty?)';
    throw new CliError(`${path} holds no readable rows${why}`);
  }
  const { type, mapping, detected, note } = resolveMapping(choice, parsed.columns, parsed.rows, file);
  const result = await mapDatasetAsync(parsed, type, mapping, {
    fileName: file,
    signal,
    onProgress: (done, all) => tick(() => `${what}: mapping ${path}: ${Math.floor((100 * done) / Math.max(1, all))}%`),
  });
  const fields = Object.entries(mapping).map(([f, c]) => `${f}=${shownRef(c)}`).join(', ');
  const how = !detected ? '' : note !== undefined ? ', by column order: no column name was recognised' : ', detected';
  io.err(`${what}: ${path}: ${format}, ${plural(parsed.rows.length, 'row')} → ${result.dataset.records.length} ${type} records (${fields}${how})`);
  if (note !== undefined) io.err(`${what}: ${note.replace(/\.$/, '')} (--record-type and --columns choose by hand).`);
  if (result.labelScale) io.err(`${what}: labels normalised from ${result.labelScale.normalisedFrom} to 0..1`);
  if (result.stats.duplicates.length > 0) io.err(`${what}: ${plural(result.stats.duplicates.length, 'duplicate record')} kept`);
  if (result.skipped.length > 0) {
    io.err(`${what}: skipped ${plural(result.skipped.length, 'row')}:`);
    for (const s of result.skipped.slice(0, SHOWN_SKIPS)) io.err(`  ${s.row > 0 ? `row ${s.row}: ` : ''}${s.reason}`);
    if (result.skipped.length > SHOWN_SKIPS) io.err(`  … and ${result.skipped.length - SHOWN_SKIPS} more`);
  }
  if (result.dataset.records.length === 0) {
    const first = result.skipped[0];
    throw new CliError(
      `no usable rows in ${path}${first ? ` (row ${first.row}: ${first.reason})` : ''}; check --record-type and --columns (mapping: ${fields})`,
    );
  }
  return result;
}
