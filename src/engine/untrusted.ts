/**
 * Values read from user files (config.json, tokenizer.json, dataset cells) are untrusted: an object may carry
 * `toString`/`valueOf` keys that make `String(v)` throw, an array may stand where a string belongs, and nesting may
 * be 100,000 levels deep, past what any recursive walk (JSON.stringify included) survives. These helpers type-check
 * and describe such values without calling anything the value controls, without unbounded recursion, and within a
 * fixed length, so an error message about a bad value is always one short line.
 */
import { EngineError, type EngineErrorCode } from './errors';

/** A JSON object (not null, not an array). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `key` is the object's own property: never an inherited name such as `toString` or `__proto__`. */
export function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** The value of `obj[key]` when `key` is its own property, else undefined (no inherited `constructor`). */
export function ownValue<T>(obj: Readonly<Record<string, T>>, key: string): T | undefined {
  return hasOwn(obj, key) ? obj[key] : undefined;
}

/** Longest description `describeValue` returns by default. */
export const DESCRIBE_MAX_LENGTH = 80;

function quote(s: string, max: number): string {
  const cut = s.length > max;
  // JSON.stringify of a string is safe (no user code, no recursion) and escapes control characters.
  const shown = JSON.stringify(cut ? s.slice(0, max) : s);
  return cut ? `${shown.slice(0, -1)}…" (${s.length.toLocaleString('en-US')} characters)` : shown;
}

function describeNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return `a number too large to represent (it reads as ${n > 0 ? '' : '-'}Infinity)`;
  return String(n);
}

/** A one-level description: scalars shown, containers by kind and size. */
function describeShallow(v: unknown, max: number): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return quote(v, max);
    case 'number':
      return describeNumber(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return 'nothing';
    case 'bigint':
      return `${v.toString()}n`;
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    default:
      if (Array.isArray(v)) return v.length === 0 ? '[]' : `an array of ${v.length.toLocaleString('en-US')}`;
      return Object.keys(v as object).length === 0 ? '{}' : 'an object';
  }
}

function cap(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/**
 * A short, safe description of any value for an error message: `"gelu"`, `12`, `null`, `an array of 3 ([1, 2, 3])`,
 * `an object with keys "toString", "a"`. Never throws, never recurses more than one level, at most `maxLength`
 * characters (strings are cut and their length said).
 */
export function describeValue(v: unknown, maxLength = DESCRIBE_MAX_LENGTH): string {
  const inner = Math.max(8, Math.floor(maxLength / 2));
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const items = v.slice(0, 4).map((x) => describeShallow(x, 16));
    const list = `[${items.join(', ')}${v.length > 4 ? ', …' : ''}]`;
    return cap(`an array of ${v.length.toLocaleString('en-US')} (${list})`, maxLength);
  }
  if (isPlainObject(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0) return '{}';
    const shown = keys.slice(0, 4).map((k) => quote(k, 16));
    return cap(`an object with key${keys.length === 1 ? '' : 's'} ${shown.join(', ')}${keys.length > 4 ? ', …' : ''}`, maxLength);
  }
  return cap(describeShallow(v, inner), maxLength);
}

/**
 * How deep `v` nests (a scalar is 0, `[]` and `{}` are 1), counted without recursion and stopping once past `limit`
 * (so a 100,000-level value costs `limit` steps down one branch, not a stack overflow).
 */
export function nestingDepth(v: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value: v, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof value !== 'object' || value === null) continue;
    const d = depth + 1;
    if (d > deepest) deepest = d;
    if (deepest > limit) return deepest;
    const children = Array.isArray(value) ? value : Object.values(value);
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: d });
  }
  return deepest;
}

/** Deepest nesting accepted in a JSON file of a model folder: real files nest a handful of levels. */
export const MAX_JSON_DEPTH = 100;

/**
 * Refuses a parsed JSON value nested deeper than `MAX_JSON_DEPTH` (which would overflow the stack wherever it is
 * later copied or written back), naming the file.
 */
export function checkJsonDepth(v: unknown, fileName: string, code: EngineErrorCode = 'bad_config'): void {
  if (nestingDepth(v, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new EngineError(code, `${fileName}: nested more than ${MAX_JSON_DEPTH} levels deep; no real model file nests like that. Replace it with the file the model was published with.`);
  }
}
