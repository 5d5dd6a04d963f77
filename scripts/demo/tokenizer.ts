/**
 * The demo model's WordPiece tokenizer: a vocabulary of every word of the demo dataset (lower-cased, as
 * BERT's basic tokenizer splits them) plus the BERT special tokens and every printable ASCII character,
 * alone and as a '##' continuation, so an unseen word falls back to pieces instead of [UNK].
 */

/** BERT's special tokens, in id order ([PAD] = 0). */
export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** Characters BERT's basic tokenizer treats as punctuation (ASCII non-alphanumeric printable). */
function isPunctuation(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}

/** Words of a text as BertNormalizer(lowercase) + BertPreTokenizer produce them, for ASCII text. */
export function basicTokens(text: string): string[] {
  const out: string[] = [];
  for (const chunk of text.toLowerCase().split(/\s+/)) {
    let word = '';
    for (const ch of chunk) {
      if (isPunctuation(ch)) {
        if (word) out.push(word);
        out.push(ch);
        word = '';
      } else {
        word += ch;
      }
    }
    if (word) out.push(word);
  }
  return out;
}

/** Ids 0..: special tokens, printable ASCII characters, their '##' continuations, then the words sorted. */
export function buildVocab(texts: readonly string[]): string[] {
  const chars: string[] = [];
  for (let c = 33; c <= 126; c++) {
    const ch = String.fromCharCode(c);
    if (ch === ch.toLowerCase()) chars.push(ch);
  }
  const vocab: string[] = [...SPECIAL_TOKENS, ...chars, ...chars.filter((c) => !isPunctuation(c)).map((c) => `##${c}`)];
  const known = new Set(vocab);
  const words = [...new Set(texts.flatMap(basicTokens))].filter((w) => !known.has(w)).sort();
  return [...vocab, ...words];
}

function addedToken(content: string, id: number): Record<string, unknown> {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

/** tokenizer.json in the layout transformers' BertTokenizerFast writes. */
export function tokenizerJson(vocab: readonly string[]): Record<string, unknown> {
  const id = (token: string): number => vocab.indexOf(token);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((t) => addedToken(t, id(t))),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((t, i) => [t, i])),
    },
  };
}

/** tokenizer_config.json (BertTokenizer, lower-casing, `modelMaxLength` tokens). */
export function tokenizerConfig(modelMaxLength: number): Record<string, unknown> {
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: modelMaxLength,
    unk_token: '[UNK]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    cls_token: '[CLS]',
    mask_token: '[MASK]',
    tokenize_chinese_chars: true,
    strip_accents: null,
    clean_up_tokenization_spaces: true,
  };
}

/** special_tokens_map.json. */
export const SPECIAL_TOKENS_MAP = { unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]' };

/** vocab.txt: one token per line, line number = id. */
export function vocabTxt(vocab: readonly string[]): Uint8Array {
  return new TextEncoder().encode(vocab.join('\n') + '\n');
}
