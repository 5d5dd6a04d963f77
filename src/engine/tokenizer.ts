/**
 * `TextTokenizer`: a Hugging Face `tokenizer.json` (via @huggingface/tokenizers) with the batching the
 * library lacks: truncation that keeps the post-processor's special tokens ([CLS] … [SEP]) and padding to
 * the longest text in the batch. Special-token ids come from the tokenizer files, never hard-coded.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { EngineError } from './errors';
import { checkTokenizerPatterns } from './tokenizerRegex';
import { checkJsonDepth, describeValue, hasOwn, isPlainObject } from './untrusted';

/** A padded batch, row-major [batchSize, seqLen]. */
export interface EncodedBatch {
  inputIds: Int32Array; // [B, T]
  attentionMask: Int32Array; // [B, T], 1 for real tokens, 0 for padding
  batchSize: number;
  seqLen: number;
  /** How many texts were cut to maxLength. */
  truncated: number;
}

/** Options for values the tokenizer files may not carry. */
export interface TextTokenizerOptions {
  /** Pad id to use when neither tokenizer_config.json nor tokenizer.json names one (e.g. config.json's pad_token_id). */
  fallbackPadId?: number;
  /**
   * Pad id of last resort, used only when nothing else names one: no pad token in the tokenizer files, no
   * `fallbackPadId`, and no eos token either (e.g. config.json's default pad_token_id when config.json has none).
   */
  defaultPadId?: number;
}

const MODEL_TYPES = new Set(['WordPiece', 'BPE', 'Unigram']);
/** transformers writes int(1e30) when a tokenizer has no limit. */
const NO_LIMIT = 1e9;
const PROBE_TEXT = 'hello world';

/** A library error's message, cut to one short line (it may quote parts of the file). */
function messageOf(e: unknown): string {
  const text = (e instanceof Error ? e.message : describeValue(e)).replace(/\s+/g, ' ');
  return text.length <= 160 ? text : `${text.slice(0, 159)}…`;
}

function badTokenizer(what: string): never {
  throw new EngineError('bad_tokenizer', `tokenizer.json: ${what}`);
}

/** A special token as tokenizer_config.json writes it: a string or an AddedToken-like `{content}`. */
function tokenContent(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (isPlainObject(v) && hasOwn(v, 'content') && typeof v.content === 'string') return v.content;
  return null;
}

function checkTokenizerJson(json: unknown): Record<string, unknown> {
  if (!isPlainObject(json)) badTokenizer('must be a JSON object (the fast-tokenizer file written by save_pretrained).');
  checkJsonDepth(json, 'tokenizer.json', 'bad_tokenizer');
  const model = json.model;
  if (!isPlainObject(model)) {
    badTokenizer(`has no 'model' section; it is not a Hugging Face fast-tokenizer file. Re-save the tokenizer with transformers' save_pretrained.`);
  }
  const type = model.type;
  const inferable = type === undefined && model.vocab !== undefined;
  if (!inferable && !(typeof type === 'string' && MODEL_TYPES.has(type))) {
    badTokenizer(`model type ${describeValue(type ?? null)} is not supported; expected WordPiece, BPE or Unigram.`);
  }
  const vocab = hasOwn(model, 'vocab') ? model.vocab : undefined;
  if (vocab !== undefined && !isPlainObject(vocab) && !Array.isArray(vocab)) {
    // A string would be read as millions of one-character entries.
    badTokenizer(`model.vocab is ${describeValue(vocab)}; it must be an object of token → id (or, for Unigram, a list of [piece, score]).`);
  }
  // A JS regex cannot be interrupted: a catastrophic Split/Replace pattern is refused before it can ever run.
  checkTokenizerPatterns(json);
  const filled: Record<string, unknown> = { ...json };
  for (const key of ['normalizer', 'pre_tokenizer', 'post_processor', 'decoder']) filled[key] = json[key] ?? null;
  if (!Array.isArray(json.added_tokens)) filled.added_tokens = [];
  return filled;
}

export class TextTokenizer {
  /** Id used to pad batches. */
  readonly padId: number;
  /** Id of the classification token ([CLS]), or null when the tokenizer has none. */
  readonly clsId: number | null;
  /** Id of the separator token ([SEP]), or null when the tokenizer has none. */
  readonly sepId: number | null;
  /** Id of the end-of-sequence token (eos_token, e.g. GPT-2's <|endoftext|>), or null when not named or not in the vocabulary. */
  readonly eosId: number | null;
  /** tokenizer_config.json's model_max_length, or null when absent or "unlimited". */
  readonly modelMaxLength: number | null;
  /** Id of the unknown token (the model's unk_token / unk_id), or null when the tokenizer has none (byte-level BPE). */
  readonly unkId: number | null;
  /** Special tokens the post-processor adds before / after the text. */
  readonly specialPrefix: number;
  readonly specialSuffix: number;
  private readonly tokenizer: Tokenizer;

  constructor(tokenizerJson: unknown, tokenizerConfig: unknown, specialTokensMap?: unknown, options: TextTokenizerOptions = {}) {
    const json = checkTokenizerJson(tokenizerJson);
    const config = isPlainObject(tokenizerConfig) ? tokenizerConfig : {};
    try {
      this.tokenizer = new Tokenizer(json, config);
    } catch (e) {
      badTokenizer(`could not be loaded (${messageOf(e)}); re-save it with transformers' save_pretrained.`);
    }
    const specials = isPlainObject(specialTokensMap) ? specialTokensMap : {};
    const named = (key: string): number | null => {
      const content = tokenContent(config[key]) ?? tokenContent(specials[key]);
      if (content === null) return null;
      const id = this.tokenizer.token_to_id(content);
      if (id === undefined) badTokenizer(`${key} ${describeValue(content)} (from tokenizer_config.json) is not in the vocabulary.`);
      return id;
    };
    let probe: { prefix: number[]; suffix: number[] };
    try {
      probe = this.specialLayout();
    } catch (e) {
      // A malformed post_processor or normalizer only fails when it first runs, here.
      if (e instanceof EngineError) throw e;
      badTokenizer(`could not encode a test text (${messageOf(e)}); its post_processor or normalizer is malformed. Re-save it with transformers' save_pretrained.`);
    }
    this.specialPrefix = probe.prefix.length;
    this.specialSuffix = probe.suffix.length;
    const padding = isPlainObject(json.padding) ? json.padding : {};
    const padFromJson = typeof padding.pad_id === 'number' ? padding.pad_id : null;
    const eosContent = tokenContent(config.eos_token) ?? tokenContent(specials.eos_token);
    this.eosId = eosContent === null ? null : (this.tokenizer.token_to_id(eosContent) ?? null);
    // A decoder-only tokenizer (GPT-2) often names no pad token: it pads with its eos token, on the right, as
    // `tokenizer.pad_token = tokenizer.eos_token` does; the attention mask keeps the padding out of the model.
    const padId = named('pad_token') ?? padFromJson ?? options.fallbackPadId ?? this.eosId ?? options.defaultPadId ?? null;
    if (padId === null) {
      badTokenizer(`names no pad token: add "pad_token" to tokenizer_config.json.`);
    }
    this.padId = padId;
    this.clsId = named('cls_token') ?? probe.prefix[0] ?? null;
    this.sepId = named('sep_token') ?? probe.suffix[probe.suffix.length - 1] ?? null;
    const max = config.model_max_length;
    this.modelMaxLength = typeof max === 'number' && Number.isInteger(max) && max > 0 && max < NO_LIMIT ? max : null;
    const model = isPlainObject(json.model) ? json.model : {};
    const unkToken = typeof model.unk_token === 'string' ? this.tokenizer.token_to_id(model.unk_token) : undefined;
    this.unkId = unkToken ?? (typeof model.unk_id === 'number' ? model.unk_id : null);
  }

  /** Finds the ids the post-processor wraps around a text by comparing encodings with and without them. */
  private specialLayout(): { prefix: number[]; suffix: number[] } {
    const bare = this.tokenizer.encode(PROBE_TEXT, { add_special_tokens: false }).ids;
    const full = this.tokenizer.encode(PROBE_TEXT, { add_special_tokens: true }).ids;
    if (full.length === 0) {
      badTokenizer(`turns the text "${PROBE_TEXT}" into no tokens (an empty post_processor template?), so every text would embed as nothing. Use the tokenizer.json the model was published with.`);
    }
    const extra = full.length - bare.length;
    for (let start = 0; start <= extra; start++) {
      if (bare.every((id, i) => full[start + i] === id)) {
        return { prefix: full.slice(0, start), suffix: full.slice(start + bare.length) };
      }
    }
    badTokenizer(`its post_processor inserts tokens inside the text, which is not supported.`);
  }

  /** Token ids of one text with special tokens, not truncated. */
  encode(text: string): number[] {
    const ids = this.tokenizer.encode(text, { add_special_tokens: true }).ids;
    // An all-padding row has no token to pool: mean pooling divides by zero (wasm) or gives a zero vector (cpu).
    if (ids.length === 0) {
      throw new EngineError(
        'bad_tokenizer',
        `tokenizer.json turns the text ${describeValue(text)} into no tokens: it adds no special tokens ([CLS]/[SEP]; its post_processor adds none) and keeps nothing of the text (control or zero-width characters only?). Remove that text, or use the tokenizer.json the model was published with.`,
      );
    }
    return ids;
  }

  /** Token ids of the text alone: no special tokens, not truncated (may be empty). */
  textIds(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /** Number of tokens of `text` including the special tokens, before truncation. */
  countTokens(text: string): number {
    return this.encode(text).length;
  }

  /** Token strings of `text` with special tokens (for previews). */
  tokenize(text: string): string[] {
    return this.tokenizer.encode(text, { add_special_tokens: true }).tokens;
  }

  /**
   * Encodes texts, truncating each to `maxLength` tokens (special tokens kept at both ends) and padding
   * with `padId` to the longest in the batch.
   */
  encodeBatch(texts: string[], maxLength: number): EncodedBatch {
    const specials = this.specialPrefix + this.specialSuffix;
    if (!Number.isInteger(maxLength) || maxLength <= specials) {
      throw new EngineError('bad_option', `max sequence length ${maxLength} is too small: it must be an integer above ${specials} (the special tokens).`);
    }
    let truncated = 0;
    const rows = texts.map((text) => {
      const ids = this.encode(text);
      if (ids.length <= maxLength) return ids;
      truncated++;
      const keep = maxLength - this.specialSuffix;
      return ids.slice(0, keep).concat(ids.slice(ids.length - this.specialSuffix));
    });
    const seqLen = rows.reduce((m, r) => Math.max(m, r.length), 0);
    const inputIds = new Int32Array(texts.length * seqLen).fill(this.padId);
    const attentionMask = new Int32Array(texts.length * seqLen);
    rows.forEach((row, b) => {
      inputIds.set(row, b * seqLen);
      attentionMask.fill(1, b * seqLen, b * seqLen + row.length);
    });
    return { inputIds, attentionMask, batchSize: texts.length, seqLen, truncated };
  }
}
