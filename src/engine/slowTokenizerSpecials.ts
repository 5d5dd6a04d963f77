/**
 * The special tokens of a slow tokenizer as transformers resolves them (`from_pretrained` reading
 * special_tokens_map.json over tokenizer_config.json over the class's `__init__` defaults, then
 * `PreTrainedTokenizerFast` writing them as tokenizer.json's added_tokens), for tokenizerFromVocab.ts.
 */
import { EngineError } from './errors';
import { describeValue, hasOwn, isPlainObject } from './untrusted';

/** A refusal of a tokenizer file, naming it. */
export function fail(file: string, what: string): never {
  throw new EngineError('bad_tokenizer', `${file}: ${what}`);
}

export const SPECIAL_KEYS = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'] as const;
export type SpecialKey = (typeof SPECIAL_KEYS)[number];
export type SpecialDefaults = Partial<Record<SpecialKey, string>>;

/** The __init__ defaults of the slow classes. */
export const BERT_DEFAULTS: SpecialDefaults = { unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]' };
export const ROBERTA_DEFAULTS: SpecialDefaults = { bos_token: '<s>', eos_token: '</s>', sep_token: '</s>', cls_token: '<s>', unk_token: '<unk>', pad_token: '<pad>', mask_token: '<mask>' };
export const MPNET_DEFAULTS: SpecialDefaults = { ...ROBERTA_DEFAULTS, unk_token: '[UNK]' };
export const GPT2_DEFAULTS: SpecialDefaults = { bos_token: '<|endoftext|>', eos_token: '<|endoftext|>', unk_token: '<|endoftext|>' };

/** An entry of tokenizer.json's added_tokens. */
export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}
type TokenSpec = Omit<AddedTokenJson, 'id'>;

export function flag(obj: Record<string, unknown>, key: string, fallback: boolean, file: string): boolean {
  const v = hasOwn(obj, key) ? obj[key] : undefined;
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') fail(file, `${key} is ${describeValue(v)}; it must be true or false.`);
  return v;
}

/** A token as the files write it: a string, or an AddedToken `{content, lstrip, …}`; null when set to null. */
function tokenSpec(v: unknown, what: string, file: string, lstrip: boolean): TokenSpec | null {
  if (v === null) return null;
  if (typeof v === 'string') return { content: v, single_word: false, lstrip, rstrip: false, normalized: false, special: true };
  if (isPlainObject(v) && hasOwn(v, 'content') && typeof v.content === 'string') {
    return {
      content: v.content,
      single_word: flag(v, 'single_word', false, file),
      lstrip: flag(v, 'lstrip', false, file),
      rstrip: flag(v, 'rstrip', false, file),
      // transformers' AddedToken defaults normalized to `not special`, and these are special.
      normalized: flag(v, 'normalized', false, file),
      special: true,
    };
  }
  fail(file, `${what} is ${describeValue(v)}; it must be a token string such as "[CLS]" or an object with a "content" string.`);
}

export interface Specials {
  named: Partial<Record<SpecialKey, TokenSpec>>;
  /** Every special token in transformers' order (the named ones, then additional_special_tokens). */
  all: TokenSpec[];
  /** added_tokens_decoder of tokenizer_config.json: tokens with their own ids. */
  withIds: AddedTokenJson[];
}

/**
 * The special tokens transformers' from_pretrained gives the slow tokenizer: special_tokens_map.json overrides
 * tokenizer_config.json, which overrides the class defaults (a key set to null means no such token).
 */
export function resolveSpecials(config: Record<string, unknown>, map: Record<string, unknown>, defaults: SpecialDefaults, label: string, maskLstrip: boolean): Specials {
  const cfgFile = `${label}tokenizer_config.json`;
  const mapFile = `${label}special_tokens_map.json`;
  const pick = (key: string): { value: unknown; file: string } | null => {
    if (hasOwn(map, key)) return { value: map[key], file: mapFile };
    if (hasOwn(config, key)) return { value: config[key], file: cfgFile };
    return null;
  };
  const named: Partial<Record<SpecialKey, TokenSpec>> = {};
  const all: TokenSpec[] = [];
  for (const key of SPECIAL_KEYS) {
    const lstrip = key === 'mask_token' && maskLstrip;
    const given = pick(key);
    const spec = given ? tokenSpec(given.value, key, given.file, lstrip) : defaults[key] !== undefined ? tokenSpec(defaults[key], key, cfgFile, lstrip) : null;
    if (spec) {
      named[key] = spec;
      all.push(spec);
    }
  }
  const extra = pick('additional_special_tokens');
  if (extra && extra.value !== null) {
    if (!Array.isArray(extra.value)) fail(extra.file, `additional_special_tokens is ${describeValue(extra.value)}; it must be a list of tokens.`);
    extra.value.forEach((v, i) => {
      const spec = tokenSpec(v, `additional_special_tokens[${i}]`, extra.file, false);
      if (spec) all.push(spec);
    });
  }
  const withIds: AddedTokenJson[] = [];
  const decoder = hasOwn(config, 'added_tokens_decoder') ? config.added_tokens_decoder : undefined;
  if (decoder !== undefined && decoder !== null) {
    if (!isPlainObject(decoder)) fail(cfgFile, `added_tokens_decoder is ${describeValue(decoder)}; it must be an object of id → token.`);
    for (const [key, v] of Object.entries(decoder)) {
      const id = /^(0|[1-9][0-9]{0,8})$/.test(key) ? Number(key) : -1;
      if (id < 0) fail(cfgFile, `added_tokens_decoder key ${describeValue(key)} is not a token id (a non-negative integer).`);
      const spec = tokenSpec(v, `added_tokens_decoder entry ${key}`, cfgFile, false);
      if (spec === null) fail(cfgFile, `added_tokens_decoder entry ${key} is null; it must be a token object.`);
      withIds.push({ id, ...spec, special: isPlainObject(v) ? flag(v, 'special', false, cfgFile) : true });
    }
  }
  return { named, all, withIds };
}

/**
 * tokenizer.json's added_tokens as PreTrainedTokenizerFast writes them: added_tokens_decoder's entries with their ids,
 * then each special token found in the vocabulary, sorted by id. Deviation: a special token that is not in the
 * vocabulary is left out, where transformers gives it a new id past the vocabulary (a row the model's embeddings lack).
 */
export function addedTokens(specials: Specials, idOf: (token: string) => number | undefined): AddedTokenJson[] {
  const byContent = new Map<string, AddedTokenJson>();
  for (const t of specials.withIds) if (!byContent.has(t.content)) byContent.set(t.content, t);
  for (const spec of specials.all) {
    const id = idOf(spec.content);
    if (id !== undefined && !byContent.has(spec.content)) byContent.set(spec.content, { id, ...spec });
  }
  return [...byContent.values()].sort((a, b) => a.id - b.id);
}

/** A special token the post-processor needs: named and in the vocabulary. */
export function requiredToken(specials: Specials, key: SpecialKey, idOf: (token: string) => number | undefined, vocabFile: string, fix: string): { content: string; id: number } {
  const spec = specials.named[key];
  if (!spec) fail(vocabFile, `the tokenizer names no ${key}, which it needs; ${fix}`);
  const id = idOf(spec.content);
  if (id === undefined) fail(vocabFile, `has no token ${describeValue(spec.content)} (the ${key}); ${fix}`);
  return { content: spec.content, id };
}
