/**
 * The demo dataset: Nimbus Notes support questions, each paired with the title of the one help-centre
 * article that answers it ({"text": question, "text_pos": title}, uniem's pair format).
 *
 * Every text is unique, so sentence-transformers' NO_DUPLICATES batches are always full, and 520 records
 * leave an even number for training under any usual validation share (10, 15, 20, 25 %), so no batch of
 * an even size ends with a single record (which in-batch-negative losses cannot use).
 * Deterministic: a seeded mulberry32 makes every choice.
 */
import { mulberry32, randomInt, shuffled, type Rng } from '../../src/engine/data/random';
import { ACTIONS, OBJECTS, PLATFORM_PHRASES, PLATFORMS, QUESTION_TEMPLATES } from './lexicon';
import { basicTokens } from './tokenizer';

/** One line of dataset.jsonl. */
export interface DemoPair {
  text: string;
  text_pos: string;
}

/** Number of pairs: 520 of the 528 articles, one question each. */
export const DEMO_PAIR_COUNT = 520;
/** Seed of every random choice of the dataset. */
export const DATASET_SEED = 20240917;
/** Longest question in words: short texts keep training fast (with [CLS] and [SEP], 14 tokens at most). */
const MAX_QUESTION_TOKENS = 12;
/** Words questions and titles may share (they say nothing about which article answers). */
const FUNCTION_WORDS: ReadonlySet<string> = new Set(['a', 'an', 'the', 'to', 'of', 'on']);

/** Lower-cased alphanumeric words of a text (punctuation dropped). */
export function contentWords(text: string): string[] {
  return text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w !== '');
}

/** One help-centre article: its title, and the synonyms a question about it picks from. */
interface Article {
  title: string;
  verbs: readonly string[];
  nouns: readonly string[];
  platforms: readonly string[];
}

function articles(): Article[] {
  return OBJECTS.flatMap((o) =>
    o.actions.flatMap((a) =>
      PLATFORMS.map((p) => ({
        title: `${ACTIONS[a].title} ${o.title} ${p.title}`,
        verbs: ACTIONS[a].synonyms,
        nouns: o.synonyms,
        platforms: p.synonyms,
      })),
    ),
  );
}

function pick<T>(items: readonly T[], rng: Rng): T {
  return items[randomInt(rng, items.length)];
}

/** A question about `article` not in `taken` and at most MAX_QUESTION_TOKENS words long. */
function questionFor(article: Article, taken: ReadonlySet<string>, rng: Rng): string {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const question = pick(QUESTION_TEMPLATES, rng)
      .replace('{v}', pick(article.verbs, rng))
      .replace('{n}', pick(article.nouns, rng))
      .replace('{p}', pick(PLATFORM_PHRASES, rng).replace('{p}', pick(article.platforms, rng)));
    if (!taken.has(question) && basicTokens(question).length <= MAX_QUESTION_TOKENS) return question;
  }
  throw new Error(`no short, unused question found for '${article.title}'`);
}

/** Throws when a question repeats a title word, or a user word stands for two concepts. */
function checkLexicon(pairs: readonly DemoPair[]): void {
  const titleWords = new Set(articles().flatMap((a) => contentWords(a.title)).filter((w) => !FUNCTION_WORDS.has(w)));
  for (const p of pairs) {
    const leak = contentWords(p.text).find((w) => titleWords.has(w));
    if (leak !== undefined) throw new Error(`question '${p.text}' contains the title word '${leak}'`);
  }
  const sharedWords = new Set([...QUESTION_TEMPLATES, ...PLATFORM_PHRASES].flatMap(contentWords));
  const owner = new Map<string, string>();
  for (const c of [...Object.values(ACTIONS), ...OBJECTS, ...PLATFORMS]) {
    for (const w of new Set(c.synonyms.flatMap(contentWords))) {
      if (FUNCTION_WORDS.has(w) || sharedWords.has(w)) continue;
      const previous = owner.get(w);
      if (previous !== undefined && previous !== c.title) throw new Error(`'${w}' is a synonym of both '${previous}' and '${c.title}'`);
      owner.set(w, c.title);
    }
  }
}

/** The demo pairs, in file order. */
export function demoPairs(): DemoPair[] {
  const rng = mulberry32(DATASET_SEED);
  const chosen = shuffled(articles(), rng).slice(0, DEMO_PAIR_COUNT);
  const taken = new Set<string>();
  const pairs = chosen.map((article) => {
    const text = questionFor(article, taken, rng);
    taken.add(text);
    return { text, text_pos: article.title };
  });
  checkLexicon(pairs);
  return pairs;
}

/** dataset.jsonl: one `{"text", "text_pos"}` object per line, '\n'-terminated. */
export function demoDatasetJsonl(pairs: readonly DemoPair[] = demoPairs()): string {
  return pairs.map((p) => JSON.stringify({ text: p.text, text_pos: p.text_pos })).join('\n') + '\n';
}
