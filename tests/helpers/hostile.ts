/**
 * Values a hostile model file can hold where a string or a number belongs: objects whose `toString`/`valueOf` keys
 * make `String(v)` throw, arrays, 1e400 (JSON.parse reads Infinity), a 2 MB string, an own `__proto__` key and
 * nesting 60,000 levels deep. Shared by the property tests of the model-file parsers.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { EngineError } from '../../src/engine/errors';

/** JSON text of `levels` nested arrays/objects (`levels` even), which JSON.stringify could not write. */
export function deepJsonText(levels: number): string {
  return `${'[{"a":'.repeat(levels / 2)}0${'}]'.repeat(levels / 2)}`;
}

/** `levels` nested arrays/objects, built by JSON.parse (no recursion here). */
export function deepJson(levels: number): unknown {
  return JSON.parse(deepJsonText(levels));
}

/** A 2,000,000-character string, made once. */
export const HUGE_STRING = 'x'.repeat(2_000_000);

/** The hand-picked hostile shapes. */
export const HOSTILE_VALUES: readonly unknown[] = [
  JSON.parse('{"toString":0}'),
  JSON.parse('{"valueOf":0,"toString":{}}'),
  JSON.parse('[{"toString":0}]'),
  ['bert'],
  [],
  JSON.parse('1e400'),
  JSON.parse('-1e400'),
  HUGE_STRING,
  JSON.parse('{"__proto__":{"toString":0}}'),
  '__proto__',
  'toString',
  'constructor',
  deepJson(60_000),
];

/** A hostile shape or random JSON. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(fc.constantFrom(...HOSTILE_VALUES), fc.jsonValue({ maxDepth: 2 }));

/** Longest message a refusal may have: one line, never a whole value. */
export const MAX_MESSAGE_LENGTH = 600;

/** `e` is an EngineError whose message is one line of at most MAX_MESSAGE_LENGTH characters. */
export function expectShortEngineError(e: unknown): EngineError {
  expect(e).toBeInstanceOf(EngineError);
  const message = (e as EngineError).message;
  expect(message).not.toContain('\n');
  expect(message.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
  return e as EngineError;
}
