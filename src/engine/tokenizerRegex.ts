/**
 * A static check of the regular expressions a tokenizer.json hands to the tokenizer (Split and Replace patterns in
 * the normalizer, pre-tokenizer and decoder, inside Sequences too). A JavaScript regex cannot be interrupted, so a
 * pattern that backtracks catastrophically (`(a+)+$` on 5,000 'a' then '!') would hang the tokenizer forever; such
 * patterns are refused when the tokenizer loads. Refused:
 *   - nested quantifiers (star height > 1): a repeated group with a repeated item inside, e.g. `(a+)+`, `(?:\s*x)*`;
 *   - repeated alternations whose branches can start with the same character, e.g. `(a|ab)+`, `(\w|\d)*`.
 * Real tokenizer patterns (GPT-2, cl100k, o200k, Qwen, BLOOM, XLM-R's Replace) have neither. The parser reads the
 * Oniguruma syntax tokenizers are saved with (nested character classes, `(?i:…)`, possessive quantifiers).
 */
import { EngineError } from './errors';
import { describeValue, hasOwn, isPlainObject } from './untrusted';

/** Longest pattern accepted; real tokenizer patterns are a few hundred characters. */
export const MAX_PATTERN_LENGTH = 10_000;
/** Deepest group nesting accepted. */
const MAX_GROUP_DEPTH = 64;

type Atom =
  | { kind: 'char'; ch: string }
  | { kind: 'set'; source: string }
  | { kind: 'empty' }
  | { kind: 'group'; alt: Alternation };
interface Item {
  atom: Atom;
  min: number;
  max: number;
}
type Sequence = Item[];
type Alternation = Sequence[];

/** Why a pattern is refused, or null when it passes. */
export type PatternProblem = string | null;

class Unsafe extends Error {}

const SET_ESCAPES = new Set(['d', 'D', 'w', 'W', 's', 'S', 'h', 'H', 'p', 'P', 'X', 'R', 'N', 'O']);
const ZERO_WIDTH_ESCAPES = new Set(['b', 'B', 'A', 'z', 'Z', 'G', 'K', 'y', 'Y']);
const LITERAL_ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v', a: '\x07', e: '\x1b', '0': '\0' };

class Parser {
  private i = 0;
  private depth = 0;

  constructor(private readonly src: string) {}

  parse(): Alternation {
    const alt = this.alternation();
    if (this.i < this.src.length) throw new Unsafe(`it has an unmatched ')' at character ${this.i + 1}`);
    return alt;
  }

  private alternation(): Alternation {
    const branches: Alternation = [this.sequence()];
    while (this.src[this.i] === '|') {
      this.i++;
      branches.push(this.sequence());
    }
    return branches;
  }

  private sequence(): Sequence {
    const items: Sequence = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const atom = this.atom();
      const [min, max] = this.quantifier();
      items.push({ atom, min, max });
    }
    return items;
  }

  private atom(): Atom {
    const c = this.src[this.i];
    if (c === '(') return this.group();
    if (c === '[') return { kind: 'set', source: this.charClass() };
    if (c === '\\') return this.escape();
    const cp = this.src.codePointAt(this.i) as number;
    this.i += cp > 0xffff ? 2 : 1;
    if (c === '.') return { kind: 'set', source: '.' };
    if (c === '^' || c === '$') return { kind: 'empty' };
    return { kind: 'char', ch: String.fromCodePoint(cp) };
  }

  private group(): Atom {
    const head = /^\((\?(<?[=!]|[:>]|P?<[A-Za-z_]\w*>|[imsx-]*:|[imsx-]+\)|#[^)]*\)))?/.exec(this.src.slice(this.i, this.i + 80));
    const opener = head?.[0] ?? '(';
    if (opener === '(' && this.src[this.i + 1] === '?') throw new Unsafe(`it has a group kind this check does not know at character ${this.i + 1}`);
    this.i += opener.length;
    if (opener.endsWith(')')) return { kind: 'empty' }; // inline flags (?i) or a comment (?#…)
    if (++this.depth > MAX_GROUP_DEPTH) throw new Unsafe(`it nests groups more than ${MAX_GROUP_DEPTH} deep`);
    const alt = this.alternation();
    this.depth--;
    if (this.src[this.i] !== ')') throw new Unsafe(`it has an unclosed '('`);
    this.i++;
    return { kind: 'group', alt };
  }

  /** A bracket class, Oniguruma-style (classes may nest); returns its source text. */
  private charClass(): string {
    const start = this.i;
    let depth = 0;
    while (this.i < this.src.length) {
      const c = this.src[this.i];
      if (c === '\\') {
        this.i += 2;
        continue;
      }
      if (c === '[') {
        depth++;
        this.i++;
        if (this.src[this.i] === '^') this.i++;
        if (this.src[this.i] === ']') this.i++; // a leading ']' is literal
        continue;
      }
      this.i++;
      if (c === ']' && --depth === 0) return this.src.slice(start, this.i);
    }
    throw new Unsafe(`it has an unclosed '['`);
  }

  private escape(): Atom {
    const start = this.i;
    const c = this.src[this.i + 1];
    if (c === undefined) throw new Unsafe('it ends with a lone backslash');
    this.i += 2;
    if (/[pPxuk]/.test(c) && /[{<]/.test(this.src[this.i] ?? '')) {
      const close = this.src.indexOf(this.src[this.i] === '{' ? '}' : '>', this.i);
      if (close < 0) throw new Unsafe(`it has an unclosed '\\${c}' escape`);
      this.i = close + 1;
    } else if (c === 'x') this.i += /^[0-9a-fA-F]{1,2}/.exec(this.src.slice(this.i))?.[0].length ?? 0;
    else if (c === 'u') this.i += /^[0-9a-fA-F]{4}/.exec(this.src.slice(this.i))?.[0].length ?? 0;
    else if (c === 'c') this.i += 1;
    else if (/[1-9]/.test(c)) this.i += /^\d*/.exec(this.src.slice(this.i))?.[0].length ?? 0;
    const text = this.src.slice(start, this.i);
    if (ZERO_WIDTH_ESCAPES.has(c)) return { kind: 'empty' };
    if (SET_ESCAPES.has(c) || /[1-9k]/.test(c) || text.length > 2) return { kind: 'set', source: text };
    return { kind: 'char', ch: LITERAL_ESCAPES[c] ?? c };
  }

  /** `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, `{,m}`, each optionally lazy (`?`) or possessive (`+`). */
  private quantifier(): [number, number] {
    const c = this.src[this.i];
    let range: [number, number] | null = null;
    if (c === '*') range = [0, Infinity];
    else if (c === '+') range = [1, Infinity];
    else if (c === '?') range = [0, 1];
    if (range !== null) this.i++;
    else if (c === '{') {
      const m = /^\{(\d*)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (m === null || (m[1] === '' && (m[2] === undefined || m[3] === ''))) return [1, 1]; // a literal '{'
      this.i += m[0].length;
      const min = m[1] === '' ? 0 : Number(m[1]);
      range = [min, m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3])];
    } else return [1, 1];
    if (this.src[this.i] === '?' || this.src[this.i] === '+') this.i++;
    return range;
  }
}

/** The item matches a variable number of times (`*`, `+`, `?`, `{1,3}`), so the engine has a choice to backtrack over. */
function variable(item: Item): boolean {
  return item.max > item.min && canConsume(item.atom);
}

function canConsume(atom: Atom): boolean {
  if (atom.kind === 'char' || atom.kind === 'set') return true;
  if (atom.kind === 'empty') return false;
  return atom.alt.some((seq) => seq.some((item) => item.max > 0 && canConsume(item.atom)));
}

function containsVariable(alt: Alternation): boolean {
  return alt.some((seq) => seq.some((item) => variable(item) || (item.atom.kind === 'group' && containsVariable(item.atom.alt))));
}

function containsOverlappingAlternation(alt: Alternation): boolean {
  if (alt.length > 1 && branchesOverlap(alt)) return true;
  return alt.some((seq) => seq.some((item) => item.atom.kind === 'group' && containsOverlappingAlternation(item.atom.alt)));
}

/** The atoms a sequence can start with (looking past optional items). */
function firstAtoms(seq: Sequence, out: Atom[] = []): Atom[] {
  for (const item of seq) {
    if (item.atom.kind === 'group') for (const branch of item.atom.alt) firstAtoms(branch, out);
    else if (item.atom.kind !== 'empty') out.push(item.atom);
    if (item.min > 0 && canConsume(item.atom)) break;
  }
  return out;
}

function matchesChar(set: string, ch: string): boolean {
  try {
    return new RegExp(`^(?:${set})$`, 'iu').test(ch);
  } catch {
    return true; // a class this engine cannot compile on its own: assume it overlaps
  }
}

function overlap(a: Atom, b: Atom): boolean {
  if (a.kind === 'char' && b.kind === 'char') return a.ch.toLowerCase() === b.ch.toLowerCase();
  if (a.kind === 'char' && b.kind === 'set') return matchesChar(b.source, a.ch);
  if (a.kind === 'set' && b.kind === 'char') return matchesChar(a.source, b.ch);
  return true; // two classes: assume they share a character
}

function branchesOverlap(alt: Alternation): boolean {
  const firsts = alt.map((seq) => firstAtoms(seq));
  for (let x = 0; x < firsts.length; x++) {
    for (let y = x + 1; y < firsts.length; y++) {
      if (firsts[x].length === 0 || firsts[y].length === 0) return true; // an empty branch repeats without progress
      if (firsts[x].some((a) => firsts[y].some((b) => overlap(a, b)))) return true;
    }
  }
  return false;
}

/** The first catastrophic construct of the tree, as a sentence, or null. */
function findProblem(alt: Alternation): PatternProblem {
  const stack: Alternation[] = [alt];
  while (stack.length > 0) {
    for (const seq of stack.pop() as Alternation) {
      for (const item of seq) {
        if (item.atom.kind !== 'group') continue;
        const repeated = item.max > 1 && canConsume(item.atom);
        if (repeated && containsVariable(item.atom.alt)) {
          return 'it repeats a group that itself holds a repetition (nested quantifiers, as in (a+)+), which takes exponential time on some texts';
        }
        if (repeated && containsOverlappingAlternation(item.atom.alt)) {
          return 'it repeats an alternation whose branches can start with the same character (as in (a|ab)+), which takes exponential time on some texts';
        }
        stack.push(item.atom.alt);
      }
    }
  }
  return null;
}

/** Why `pattern` could backtrack catastrophically (or cannot be checked), or null when it is safe to run. */
export function regexProblem(pattern: string): PatternProblem {
  if (pattern.length > MAX_PATTERN_LENGTH) return `it is ${pattern.length.toLocaleString('en-US')} characters long, more than the ${MAX_PATTERN_LENGTH.toLocaleString('en-US')} this check reads`;
  try {
    return findProblem(new Parser(pattern).parse());
  } catch (e) {
    if (e instanceof Unsafe) return `it cannot be checked: ${e.message}`;
    throw e;
  }
}

/** The child list of a Sequence component, by section. */
const SEQUENCE_CHILDREN: Readonly<Record<string, string>> = { normalizer: 'normalizers', pre_tokenizer: 'pretokenizers', decoder: 'decoders' };

/**
 * Refuses a tokenizer.json whose normalizer, pre-tokenizer or decoder (or a component of their Sequences) carries a
 * `pattern.Regex` that is not a string or could backtrack catastrophically, naming the component and the pattern.
 */
export function checkTokenizerPatterns(json: Record<string, unknown>, fileName = 'tokenizer.json'): void {
  for (const [section, childKey] of Object.entries(SEQUENCE_CHILDREN)) {
    const stack: Array<{ component: unknown; where: string }> = [{ component: hasOwn(json, section) ? json[section] : undefined, where: section }];
    while (stack.length > 0) {
      const { component, where } = stack.pop() as { component: unknown; where: string };
      if (!isPlainObject(component)) continue;
      const kind = hasOwn(component, 'type') ? component.type : undefined;
      const type = typeof kind === 'string' ? ` (${/^\w{1,40}$/.test(kind) ? kind : describeValue(kind, 40)})` : '';
      const children = hasOwn(component, childKey) ? component[childKey] : undefined;
      if (Array.isArray(children)) children.forEach((child, i) => stack.push({ component: child, where: `${where}.${childKey}[${i}]` }));
      const pattern = hasOwn(component, 'pattern') ? component.pattern : undefined;
      if (!isPlainObject(pattern) || !hasOwn(pattern, 'Regex')) continue;
      const regex = pattern.Regex;
      if (typeof regex !== 'string') {
        throw new EngineError('bad_tokenizer', `${fileName}: ${where}${type} has pattern.Regex ${describeValue(regex)}; it must be a string. Use the tokenizer.json the model was published with.`);
      }
      const problem = regexProblem(regex);
      if (problem !== null) {
        throw new EngineError(
          'bad_tokenizer',
          `${fileName}: ${where}${type} has the pattern ${describeValue(regex, 100)}: ${problem}, so this tokenizer is refused. Use the tokenizer.json the model was published with.`,
        );
      }
    }
  }
}
