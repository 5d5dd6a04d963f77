/**
 * Prompts: the instruction texts some models expect before their inputs (e5's "query: " / "passage: ", bge's
 * "Represent this sentence for searching relevant passages: "), as sentence-transformers keeps them in
 * `config_sentence_transformers.json` (`prompts`, `default_prompt_name`) and applies them with the `prompts`
 * training argument: queries (anchors) get the query prompt, documents (positives, negatives) the document
 * prompt, and the two sides of a scored pair — like compared with like — both the query prompt.
 * Tf-free: the page reads it too.
 */
import { EngineError } from './errors';
import { describeValue, hasOwn, isPlainObject } from './untrusted';

/** Which side of a comparison a text is on, so which prompt it gets. `plain`: no prompt. */
export type TextRole = 'query' | 'document' | 'plain';

/** The two prompts a run uses; '' for none. */
export interface Prompts {
  /** Prepended to queries / anchors, e.g. "query: ". */
  query: string;
  /** Prepended to documents / positives / negatives, e.g. "passage: ". */
  document: string;
}

export const NO_PROMPTS: Prompts = { query: '', document: '' };

/** A model's prompt settings as config_sentence_transformers.json holds them, kept for writing back. */
export interface PromptConfig {
  /** Every named prompt of the file, in its order. */
  named: Record<string, string>;
  /** The name under which the query / document prompt is kept ('query', 'passage', 'document', …). */
  queryName: string;
  documentName: string;
  /** default_prompt_name: the prompt sentence-transformers' encode() applies when none is named. */
  defaultPromptName: string | null;
}

export const EMPTY_PROMPT_CONFIG: PromptConfig = { named: {}, queryName: 'query', documentName: 'document', defaultPromptName: null };

/** Longest prompt accepted, in characters (real ones are under 200; instruction models' stay under 1,000). */
export const MAX_PROMPT_CHARS = 2000;

const QUERY_NAMES = ['query', 'queries', 'question', 'search_query'];
const DOCUMENT_NAMES = ['document', 'passage', 'corpus', 'documents', 'passages', 'doc', 'search_document'];

/** A prompt typed by the user or read from a file, checked: a string of printable text, not too long. */
export function checkPrompt(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new EngineError('bad_option', `${where} is ${describeValue(value)}; a prompt must be a text such as "query: ".`);
  if (value.length > MAX_PROMPT_CHARS) throw new EngineError('bad_option', `${where} is ${value.length} characters long; a prompt may have at most ${MAX_PROMPT_CHARS}.`);
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(value)) throw new EngineError('bad_option', `${where} holds a control character; a prompt must be plain text.`);
  return value;
}

/** config_sentence_transformers.json (parsed) → its prompt settings; `fileName` names it in messages. */
export function readPromptConfig(json: unknown, fileName: string): PromptConfig {
  if (json === null || json === undefined) return EMPTY_PROMPT_CONFIG;
  if (!isPlainObject(json)) throw new EngineError('bad_config', `${fileName} must be a JSON object.`);
  const prompts = hasOwn(json, 'prompts') ? json.prompts : undefined;
  if (prompts !== undefined && prompts !== null && !isPlainObject(prompts)) {
    throw new EngineError('bad_config', `${fileName}: prompts is ${describeValue(prompts)}; it must be an object of name → prompt text, e.g. {"query": "query: "}.`);
  }
  const named: Record<string, string> = {};
  for (const [name, text] of Object.entries(prompts ?? {})) named[name] = checkPrompt(text, `${fileName}: prompts.${describeValue(name, 60)}`);
  const rawDefault = hasOwn(json, 'default_prompt_name') ? json.default_prompt_name : null;
  if (rawDefault !== null && rawDefault !== undefined && !(typeof rawDefault === 'string' && hasOwn(named, rawDefault))) {
    throw new EngineError('bad_config', `${fileName}: default_prompt_name is ${describeValue(rawDefault)}, which names none of its prompts; set it to one of them or to null.`);
  }
  const lower = (names: string[]) => Object.keys(named).find((n) => names.includes(n.toLowerCase()));
  return {
    named,
    queryName: lower(QUERY_NAMES) ?? 'query',
    documentName: lower(DOCUMENT_NAMES) ?? 'document',
    defaultPromptName: typeof rawDefault === 'string' ? rawDefault : null,
  };
}

/** The query and document prompts a model's file names ('' where it names none). */
export function promptsOf(config: PromptConfig): Prompts {
  return { query: config.named[config.queryName] ?? '', document: config.named[config.documentName] ?? '' };
}

/** The prompt settings to write back: the file's own prompts with the run's query and document prompts. */
export function withPrompts(config: PromptConfig, prompts: Prompts): PromptConfig {
  const named = { ...config.named };
  for (const [name, text] of [[config.queryName, prompts.query], [config.documentName, prompts.document]] as const) {
    if (text === '') delete named[name];
    else named[name] = text;
  }
  const defaultPromptName = config.defaultPromptName !== null && hasOwn(named, config.defaultPromptName) ? config.defaultPromptName : null;
  return { ...config, named, defaultPromptName };
}

/** The prompt a text of `role` gets. */
export function promptFor(prompts: Prompts, role: TextRole): string {
  return role === 'query' ? prompts.query : role === 'document' ? prompts.document : '';
}

/**
 * Prompts for models whose files name none, by Hub id: what their model cards ask for (e5: "query: " /
 * "passage: "; BAAI's bge v1.5 English and Chinese retrieval instructions, FlagEmbedding's
 * query_instruction_for_retrieval, for queries only). null for any other model.
 */
export function suggestedPrompts(modelId: string): Prompts | null {
  const id = modelId.toLowerCase();
  if (/(^|\/)(multilingual-)?e5-/.test(id)) return { query: 'query: ', document: 'passage: ' };
  if (/^baai\/bge-[a-z]+-en(-v1\.5)?$/.test(id)) return { query: 'Represent this sentence for searching relevant passages: ', document: '' };
  if (/^baai\/bge-[a-z]+-zh(-v1\.5)?$/.test(id)) return { query: '为这个句子生成表示以用于检索相关文章：', document: '' };
  return null;
}

/** Whether any prompt is set. */
export function hasPrompts(prompts: Prompts): boolean {
  return prompts.query !== '' || prompts.document !== '';
}
