/**
 * `checkTokenizerIds`: every id a tokenizer.json can hand to the encoder (vocabulary ids, added tokens, the
 * post-processor's special tokens, the padding id) must be a row of the word-embedding table, checked when the model
 * loads. Otherwise a wrong or edited tokenizer fails only at embed time, deep in the backend
 * (`GatherV2: the index value -5 is not in [0, 9222]`), or a fractional id is silently truncated to another token.
 */
import { EngineError } from './errors';
import { describeValue, hasOwn, isPlainObject } from './untrusted';

/** Where the ids are checked against: the table's size and the files to name. */
export interface IdTable {
  /** config.json's vocab_size: ids run from 0 to vocabSize - 1. */
  vocabSize: number;
  /** The tokenizer file, e.g. 'tokenizer.json' or '0_Transformer/tokenizer.json'. */
  tokenizerFile: string;
  /** The config file, e.g. 'config.json'. */
  configFile: string;
}

/** `what` is the token, e.g. `vocabulary token "hello"`. */
function checkId(what: string, id: unknown, table: IdTable): void {
  const { vocabSize, tokenizerFile, configFile } = table;
  const range = `${configFile}'s vocab_size is ${vocabSize}, so ids run from 0 to ${vocabSize - 1}`;
  if (typeof id !== 'number' || !Number.isInteger(id)) {
    throw new EngineError('bad_tokenizer', `${tokenizerFile}: ${what} has id ${describeValue(id)}; a token id must be a whole number (${range}). The file is corrupt: download it again.`);
  }
  if (id < 0 || id >= vocabSize) {
    throw new EngineError('bad_tokenizer', `${tokenizerFile}: ${what} has id ${id}, outside the embedding table (${range}); the tokenizer belongs to a different model, or the file is corrupt.`);
  }
}

function token(kind: string, value: unknown): string {
  return `${kind} ${describeValue(value, 120)}`;
}

function own(obj: Record<string, unknown>, key: string): unknown {
  return hasOwn(obj, key) ? obj[key] : undefined;
}

function checkVocab(model: Record<string, unknown>, table: IdTable): void {
  const vocab = own(model, 'vocab');
  if (Array.isArray(vocab)) {
    // Unigram: [[piece, score], …]; a piece's id is its index.
    if (vocab.length > table.vocabSize) {
      const entry: unknown = vocab[table.vocabSize];
      checkId(token('vocabulary piece', Array.isArray(entry) ? entry[0] : entry), table.vocabSize, table);
    }
    const unk = own(model, 'unk_id');
    if (unk !== undefined && unk !== null) checkId('model.unk_id', unk, table);
    return;
  }
  if (!isPlainObject(vocab)) return;
  for (const [piece, id] of Object.entries(vocab)) checkId(token('vocabulary token', piece), id, table);
}

/** The special tokens of one post-processor (BertProcessing, RobertaProcessing, TemplateProcessing or a Sequence). */
function checkPostProcessor(root: unknown, table: IdTable): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const p = stack.pop();
    if (!isPlainObject(p)) continue;
    for (const key of ['cls', 'sep']) {
      const pair = own(p, key);
      if (Array.isArray(pair) && pair.length === 2) checkId(token(`post_processor ${key} token`, pair[0]), pair[1], table);
    }
    const specials = own(p, 'special_tokens');
    if (isPlainObject(specials)) {
      for (const [name, special] of Object.entries(specials)) {
        const ids = isPlainObject(special) ? own(special, 'ids') : undefined;
        if (Array.isArray(ids)) for (const id of ids) checkId(token('post_processor special token', name), id, table);
      }
    }
    const processors = own(p, 'processors');
    if (Array.isArray(processors)) stack.push(...processors);
  }
}

/** Refuses a tokenizer.json with an id outside [0, vocabSize), naming the token, the id and the table size. */
export function checkTokenizerIds(tokenizerJson: Record<string, unknown>, table: IdTable): void {
  const model = own(tokenizerJson, 'model');
  if (isPlainObject(model)) checkVocab(model, table);
  const added = own(tokenizerJson, 'added_tokens');
  if (Array.isArray(added)) {
    for (const t of added) if (isPlainObject(t)) checkId(token('added token', own(t, 'content')), own(t, 'id'), table);
  }
  checkPostProcessor(own(tokenizerJson, 'post_processor'), table);
  const padding = own(tokenizerJson, 'padding');
  const padId = isPlainObject(padding) ? own(padding, 'pad_id') : undefined;
  if (isPlainObject(padding) && padId !== undefined && padId !== null) checkId(token('padding token', own(padding, 'pad_token')), padId, table);
}
