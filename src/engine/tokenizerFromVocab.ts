/**
 * A fast tokenizer (the tokenizer.json object `TextTokenizer` runs) built from a slow tokenizer's files, for model
 * folders that ship no tokenizer.json. Each builder writes the object Hugging Face transformers'
 * `convert_slow_tokenizer.py` writes for the same files (as `PreTrainedTokenizerFast` saves it, special tokens as
 * added tokens), so the ids are the ones transformers gives:
 * - `wordPieceTokenizerJson` mirrors `BertConverter` (and `MPNetConverter` with variant 'mpnet') over `load_vocab`
 *   of tokenization_bert.py;
 * - `byteLevelBpeTokenizerJson` mirrors `RobertaConverter` ('roberta') and `GPT2Converter` ('gpt2') over the
 *   vocab.json + merges.txt reading of tokenization_gpt2.py / tokenization_roberta.py;
 * - `tokenizerJsonFromSlowFiles` picks one by tokenizer_config.json's tokenizer_class, as
 *   `SLOW_TO_FAST_CONVERTERS` does.
 * The few places that differ from transformers on malformed files are marked "Deviation".
 */
import { EngineError } from './errors';
import {
  addedTokens,
  BERT_DEFAULTS,
  fail,
  flag,
  GPT2_DEFAULTS,
  MPNET_DEFAULTS,
  requiredToken,
  resolveSpecials,
  ROBERTA_DEFAULTS,
} from './slowTokenizerSpecials';
import { describeValue, hasOwn, isPlainObject } from './untrusted';

export type WordPieceVariant = 'bert' | 'mpnet';
export type ByteLevelBpeKind = 'roberta' | 'gpt2';

/** The slow tokenizer's files as read from the folder (absent ones left out). */
export interface SlowTokenizerFiles {
  vocabTxt?: Uint8Array;
  vocabJson?: Uint8Array;
  mergesTxt?: Uint8Array;
}

export interface BuiltTokenizerJson {
  json: Record<string, unknown>;
  builtFrom: 'vocab.txt' | 'vocab.json + merges.txt';
}

export interface SlowFileOptions {
  /** Written before each file name in messages: the files' folder inside the model, e.g. '' or '0_Transformer/'. */
  fileLabel?: string;
}

/** Largest slow-tokenizer file read (real ones are a few MB). */
export const MAX_SLOW_FILE_BYTES = 64 * 1024 * 1024;
/** Most vocabulary entries or merges (real vocabularies have up to ~250,000). */
export const MAX_SLOW_ENTRIES = 2_000_000;

const WORDPIECE_CLASSES: Record<string, WordPieceVariant> = {
  BertTokenizer: 'bert',
  ConvBertTokenizer: 'bert',
  DistilBertTokenizer: 'bert',
  DPRContextEncoderTokenizer: 'bert',
  DPRQuestionEncoderTokenizer: 'bert',
  DPRReaderTokenizer: 'bert',
  ElectraTokenizer: 'bert',
  LayoutLMTokenizer: 'bert',
  LxmertTokenizer: 'bert',
  MobileBertTokenizer: 'bert',
  SqueezeBertTokenizer: 'bert',
  MPNetTokenizer: 'mpnet',
};
const BPE_CLASSES: Record<string, ByteLevelBpeKind> = {
  RobertaTokenizer: 'roberta',
  BartTokenizer: 'roberta',
  LongformerTokenizer: 'roberta',
  LEDTokenizer: 'roberta',
  MvpTokenizer: 'roberta',
  GPT2Tokenizer: 'gpt2',
  CodeGenTokenizer: 'gpt2',
};

/** Slow classes whose vocabulary is a SentencePiece model, which needs the sentencepiece library to read. */
const SENTENCEPIECE_CLASS = /^(XLMRoberta|Camembert|Albert|T5|MT5|XLNet|Llama|CodeLlama|Gemma|BigBird|MBart|MBart50|Pegasus|Reformer|Barthez|DebertaV2|RemBert|FNet|Marian|Nllb|XGLM|LayoutXLM|Udop|SeamlessM4T)Tokenizer$/;


// ---- text files ---------------------------------------------------------------------------------------------------

/** UTF-8 text of a slow-tokenizer file, refusing binary data. Deviation: a UTF-8 BOM is dropped (Python keeps it). */
export function decodeSlowFile(bytes: Uint8Array, file: string): string {
  if (bytes.length > MAX_SLOW_FILE_BYTES) {
    fail(file, `is ${bytes.length.toLocaleString('en-US')} bytes, more than the ${MAX_SLOW_FILE_BYTES / 1024 / 1024} MB a tokenizer file can be; it is not a tokenizer file.`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail(file, 'is not UTF-8 text (a binary file, or another encoding); use the file the model was published with.');
  }
  return checkText(text, file);
}

function checkText(text: string, file: string): string {
  if (text.includes('\0')) fail(file, 'holds NUL bytes, so it is binary data, not a tokenizer text file; use the file the model was published with.');
  if (text.trim() === '') fail(file, 'is empty; use the file the model was published with.');
  return text;
}

/** Lines as Python's universal-newline reading splits them ("\r\n", "\r", "\n"), without the one after a final newline. */
function pythonLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * tokenization_bert.py's load_vocab: token = line without its newline (other whitespace kept), id = line index; a
 * token on several lines keeps the id of its last line.
 */
function parseVocabTxt(text: string, file: string): { vocab: Map<string, number>; lines: Map<string, number[]> } {
  const tokens = pythonLines(checkText(text, file));
  if (tokens.length > MAX_SLOW_ENTRIES) fail(file, `has ${tokens.length.toLocaleString('en-US')} lines, more than the ${MAX_SLOW_ENTRIES.toLocaleString('en-US')} tokens a vocabulary can have.`);
  const vocab = new Map<string, number>();
  const lines = new Map<string, number[]>();
  tokens.forEach((token, index) => {
    vocab.set(token, index);
    const seen = lines.get(token);
    if (seen) seen.push(index + 1);
    else lines.set(token, [index + 1]);
  });
  return { vocab, lines };
}

// ---- WordPiece ----------------------------------------------------------------------------------------------------

function templateProcessing(single: Array<[string, number]>, pair: Array<[string, number]>, specials: Array<{ content: string; id: number }>): Record<string, unknown> {
  const piece = ([id, typeId]: [string, number]): Record<string, unknown> =>
    id === '$A' || id === '$B' ? { Sequence: { id: id.slice(1), type_id: typeId } } : { SpecialToken: { id, type_id: typeId } };
  return {
    type: 'TemplateProcessing',
    single: single.map(piece),
    pair: pair.map(piece),
    special_tokens: Object.fromEntries(specials.map((t) => [t.content, { id: t.content, ids: [t.id], tokens: [t.content] }])),
  };
}

/**
 * BertConverter (variant 'bert') / MPNetConverter ('mpnet'): vocab.txt and tokenizer_config.json → tokenizer.json.
 * `vocabTxt` is the file's text; `specialTokensMap` is special_tokens_map.json when the folder has one.
 */
export function wordPieceTokenizerJson(
  vocabTxt: string,
  tokenizerConfig: Record<string, unknown>,
  specialTokensMap?: Record<string, unknown>,
  options: SlowFileOptions & { variant?: WordPieceVariant } = {},
): Record<string, unknown> {
  const label = options.fileLabel ?? '';
  const variant = options.variant ?? 'bert';
  const file = `${label}vocab.txt`;
  const cfgFile = `${label}tokenizer_config.json`;
  const { vocab, lines } = parseVocabTxt(vocabTxt, file);
  const idOf = (t: string): number | undefined => vocab.get(t);
  const specials = resolveSpecials(tokenizerConfig, specialTokensMap ?? {}, variant === 'mpnet' ? MPNET_DEFAULTS : BERT_DEFAULTS, label, variant === 'mpnet');
  for (const spec of specials.all) {
    const at = lines.get(spec.content);
    if (at && at.length > 1) {
      fail(file, `the special token ${describeValue(spec.content)} is on lines ${at.slice(0, 3).join(', ')}; a vocabulary lists each token once. Use the vocab.txt the model was published with.`);
    }
  }
  const fix = `set it in ${cfgFile} to the vocabulary's token, or use the vocab.txt the model was published with.`;
  const unk = requiredToken(specials, 'unk_token', idOf, file, fix);
  const cls = requiredToken(specials, 'cls_token', idOf, file, fix);
  const sep = requiredToken(specials, 'sep_token', idOf, file, fix);
  // BertTokenizer has a basic_tokenizer only with do_basic_tokenize; without one the converter turns all three off.
  const basic = flag(tokenizerConfig, 'do_basic_tokenize', true, cfgFile);
  const lowercase = basic && flag(tokenizerConfig, 'do_lower_case', true, cfgFile);
  const chinese = basic && flag(tokenizerConfig, 'tokenize_chinese_chars', true, cfgFile);
  const stripRaw = hasOwn(tokenizerConfig, 'strip_accents') ? tokenizerConfig.strip_accents : null;
  if (stripRaw !== null && stripRaw !== undefined && typeof stripRaw !== 'boolean') fail(cfgFile, `strip_accents is ${describeValue(stripRaw)}; it must be true, false or null.`);
  const stripAccents = basic ? (stripRaw ?? null) : false;
  const [c, s] = [cls.content, sep.content];
  const pair: Array<[string, number]> = variant === 'mpnet' ? [[c, 0], ['$A', 0], [s, 0], [s, 0], ['$B', 1], [s, 1]] : [[c, 0], ['$A', 0], [s, 0], ['$B', 1], [s, 1]];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens(specials, idOf),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: chinese, strip_accents: stripAccents, lowercase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: templateProcessing([[c, 0], ['$A', 0], [s, 0]], pair, cls.content === sep.content ? [cls] : [cls, sep]),
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: unk.content,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries([...vocab].sort((a, b) => a[1] - b[1])),
    },
  };
}

// ---- byte-level BPE ---------------------------------------------------------------------------------------------

function parseVocabJson(text: string, file: string): Map<string, number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(checkText(text, file));
  } catch (e) {
    if (e instanceof EngineError) throw e;
    fail(file, 'is not valid JSON; use the vocab.json the model was published with.');
  }
  if (!isPlainObject(parsed)) fail(file, `is ${describeValue(parsed)}; it must be a JSON object of token → id.`);
  const entries = Object.entries(parsed);
  if (entries.length === 0) fail(file, 'is an empty object; it must map each token to its id.');
  if (entries.length > MAX_SLOW_ENTRIES) fail(file, `has ${entries.length.toLocaleString('en-US')} tokens, more than the ${MAX_SLOW_ENTRIES.toLocaleString('en-US')} a vocabulary can have.`);
  const vocab = new Map<string, number>();
  for (const [token, id] of entries) {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
      fail(file, `the id of token ${describeValue(token, 40)} is ${describeValue(id)}; ids must be non-negative integers.`);
    }
    vocab.set(token, id);
  }
  return vocab;
}

/** Python's str.isspace characters, which `str.split()` splits on. */
const PY_SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/**
 * merges.txt as `tuple(line.split())` reads it, each merge checked as the Rust BPE builder checks it (both parts and
 * their concatenation in the vocabulary). A repeated merge keeps its first place (bpe_ranks.keys() order).
 * Deviation: transformers drops the first and the last line unconditionally (`split("\n")[1:-1]`); this skips the
 * first only when it is the "#version" header, and skips empty lines, as the tokenizers library's reader does.
 */
function parseMerges(text: string, file: string, vocab: Map<string, number>, vocabFile: string): string[] {
  const lines = pythonLines(checkText(text, file));
  if (lines.length > MAX_SLOW_ENTRIES) fail(file, `has ${lines.length.toLocaleString('en-US')} lines, more than the ${MAX_SLOW_ENTRIES.toLocaleString('en-US')} merges a tokenizer can have.`);
  const merges: string[] = [];
  const seen = new Set<string>();
  lines.forEach((line, index) => {
    if (index === 0 && line.startsWith('#version')) return;
    const parts = line.split(PY_SPACE).filter((p) => p !== '');
    if (parts.length === 0) return;
    const where = `line ${index + 1}`;
    if (parts.length !== 2) fail(file, `${where} is ${describeValue(line, 60)}: ${parts.length} tokens; each line must be two tokens separated by a space.`);
    const [a, b] = parts;
    for (const t of [a, b, a + b]) {
      if (!vocab.has(t)) fail(file, `${where} merges into or from ${describeValue(t, 40)}, which ${vocabFile} does not have; use the vocab.json and merges.txt published together.`);
    }
    const merge = `${a} ${b}`;
    if (!seen.has(merge)) {
      seen.add(merge);
      merges.push(merge);
    }
  });
  return merges;
}

const BYTE_LEVEL = { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true };

/**
 * RobertaConverter (kind 'roberta') / GPT2Converter ('gpt2'): vocab.json and merges.txt (their texts) with
 * tokenizer_config.json → tokenizer.json.
 */
export function byteLevelBpeTokenizerJson(
  vocabJson: string,
  mergesTxt: string,
  tokenizerConfig: Record<string, unknown>,
  kind: ByteLevelBpeKind,
  specialTokensMap?: Record<string, unknown>,
  options: SlowFileOptions = {},
): Record<string, unknown> {
  const label = options.fileLabel ?? '';
  const vocabFile = `${label}vocab.json`;
  const cfgFile = `${label}tokenizer_config.json`;
  const vocab = parseVocabJson(vocabJson, vocabFile);
  const merges = parseMerges(mergesTxt, `${label}merges.txt`, vocab, vocabFile);
  const idOf = (t: string): number | undefined => vocab.get(t);
  const specials = resolveSpecials(tokenizerConfig, specialTokensMap ?? {}, kind === 'roberta' ? ROBERTA_DEFAULTS : GPT2_DEFAULTS, label, kind === 'roberta');
  const addPrefixSpace = flag(tokenizerConfig, 'add_prefix_space', false, cfgFile);
  const fix = `set it in ${cfgFile} to the vocabulary's token, or use the vocab.json the model was published with.`;
  let postProcessor: Record<string, unknown>;
  if (kind === 'roberta') {
    const sep = requiredToken(specials, 'sep_token', idOf, vocabFile, fix);
    const cls = requiredToken(specials, 'cls_token', idOf, vocabFile, fix);
    // RobertaTokenizerFast.__init__ rewrites the converter's trim_offsets=True with its own argument.
    const trimOffsets = flag(tokenizerConfig, 'trim_offsets', true, cfgFile);
    postProcessor = { type: 'RobertaProcessing', sep: [sep.content, sep.id], cls: [cls.content, cls.id], trim_offsets: trimOffsets, add_prefix_space: addPrefixSpace };
  } else if (flag(tokenizerConfig, 'add_bos_token', false, cfgFile)) {
    const bos = requiredToken(specials, 'bos_token', idOf, vocabFile, fix);
    postProcessor = templateProcessing([[bos.content, 0], ['$A', 0]], [[bos.content, 0], ['$A', 0], ['$B', 1]], [bos]);
  } else {
    postProcessor = { ...BYTE_LEVEL, trim_offsets: false };
  }
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens(specials, idOf),
    normalizer: null,
    pre_tokenizer: { ...BYTE_LEVEL, add_prefix_space: addPrefixSpace },
    post_processor: postProcessor,
    decoder: { ...BYTE_LEVEL },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries([...vocab].sort((x, y) => x[1] - y[1])),
      merges,
    },
  };
}

// ---- entry point ----------------------------------------------------------------------------------------------

const TOKENIZER_JSON_FIX = "load it in Python with transformers (AutoTokenizer.from_pretrained(dir)) and save_pretrained(dir) to write tokenizer.json.";

/**
 * The tokenizer.json object for a folder without one, from its slow tokenizer's files: the converter is chosen by
 * tokenizer_config.json's tokenizer_class ("…Fast" read as the slow class), else by the files present (vocab.txt:
 * BERT; vocab.json + merges.txt: RoBERTa when the config names cls_token and sep_token, else GPT-2).
 * `fileLabel` is written before each file name in messages (the folder, e.g. '' or '0_Transformer/').
 */
export function tokenizerJsonFromSlowFiles(
  files: SlowTokenizerFiles,
  tokenizerConfig: Record<string, unknown>,
  specialTokensMap: Record<string, unknown> | undefined,
  fileLabel: string,
): BuiltTokenizerJson {
  const cfgFile = `${fileLabel}tokenizer_config.json`;
  const rawClass = hasOwn(tokenizerConfig, 'tokenizer_class') ? tokenizerConfig.tokenizer_class : undefined;
  if (rawClass !== undefined && rawClass !== null && typeof rawClass !== 'string') fail(cfgFile, `tokenizer_class is ${describeValue(rawClass)}; it must be a class name such as "BertTokenizer".`);
  const className = typeof rawClass === 'string' ? rawClass.replace(/Fast$/, '') : null;
  const map = specialTokensMap ?? {};
  let wordPiece: WordPieceVariant | null = null;
  let bpe: ByteLevelBpeKind | null = null;
  if (className !== null) {
    if (hasOwn(WORDPIECE_CLASSES, className)) wordPiece = WORDPIECE_CLASSES[className];
    else if (hasOwn(BPE_CLASSES, className)) bpe = BPE_CLASSES[className];
    else {
      const shown = describeValue(rawClass, 60);
      const why = SENTENCEPIECE_CLASS.test(className)
        ? 'reads a SentencePiece model (sentencepiece.bpe.model, spiece.model or tokenizer.model), which cannot be converted here'
        : 'cannot be built here from its other files (only BERT-style vocab.txt and RoBERTa/GPT-2 vocab.json + merges.txt can)';
      throw new EngineError('bad_tokenizer', `${fileLabel}tokenizer.json is missing and tokenizer_class ${shown} (in ${cfgFile}) ${why}; ${TOKENIZER_JSON_FIX}`);
    }
  } else if (files.vocabJson && files.mergesTxt) {
    const names = (key: string): boolean => (hasOwn(map, key) && map[key] !== null) || (hasOwn(tokenizerConfig, key) && tokenizerConfig[key] !== null);
    bpe = names('cls_token') && names('sep_token') ? 'roberta' : 'gpt2';
  } else if (files.vocabTxt) {
    wordPiece = 'bert';
  } else {
    throw new EngineError('missing_file', `${fileLabel}tokenizer.json is missing, and the folder has neither vocab.txt nor vocab.json + merges.txt to build it from; ${TOKENIZER_JSON_FIX}`);
  }
  if (wordPiece !== null) {
    if (!files.vocabTxt) throw new EngineError('missing_file', `${fileLabel}tokenizer.json and ${fileLabel}vocab.txt are both missing (${cfgFile} names a WordPiece tokenizer); copy vocab.txt, or ${TOKENIZER_JSON_FIX}`);
    const text = decodeSlowFile(files.vocabTxt, `${fileLabel}vocab.txt`);
    return { json: wordPieceTokenizerJson(text, tokenizerConfig, map, { fileLabel, variant: wordPiece }), builtFrom: 'vocab.txt' };
  }
  const kind = bpe as ByteLevelBpeKind;
  const absent = [files.vocabJson ? null : 'vocab.json', files.mergesTxt ? null : 'merges.txt'].filter((f) => f !== null).map((f) => `${fileLabel}${f}`);
  if (absent.length > 0) {
    throw new EngineError('missing_file', `${fileLabel}tokenizer.json and ${absent.join(' and ')} are missing (a byte-level BPE tokenizer needs vocab.json and merges.txt); copy them, or ${TOKENIZER_JSON_FIX}`);
  }
  const vocabText = decodeSlowFile(files.vocabJson as Uint8Array, `${fileLabel}vocab.json`);
  const mergesText = decodeSlowFile(files.mergesTxt as Uint8Array, `${fileLabel}merges.txt`);
  return { json: byteLevelBpeTokenizerJson(vocabText, mergesText, tokenizerConfig, kind, map, { fileLabel }), builtFrom: 'vocab.json + merges.txt' };
}
