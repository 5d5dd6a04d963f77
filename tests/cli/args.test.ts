import { describe, expect, it } from 'vitest';
import { CliError, Flags, type FlagSpec } from '../../src/cli/args';

const SPEC: FlagSpec = { model: { type: 'string' }, columns: { type: 'string' }, normalize: { type: 'boolean' } };

function parseError(argv: string[]): string {
  try {
    Flags.parse('embed', argv, SPEC);
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    return (e as Error).message;
  }
  throw new Error(`parsed ${argv.join(' ')}`);
}

describe('Flags', () => {
  it('inherited names (toString, constructor, __proto__, hasOwnProperty) are unknown flags', () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
      expect(parseError([`--${name}`, 'x'])).toBe(`Unknown option '--${name}' (see 'embed --help')`);
      expect(parseError([`--${name}=x`])).toBe(`Unknown option '--${name}' (see 'embed --help')`);
    }
  });

  it('a getter asked for an inherited name finds nothing', () => {
    const flags = Flags.parse('embed', ['--model', 'm'], SPEC);
    for (const name of ['toString', 'constructor', '__proto__']) {
      expect(flags.has(name)).toBe(false);
      expect(flags.string(name)).toBeUndefined();
      expect(flags.bool(name)).toBe(false);
    }
    expect(flags.string('model')).toBe('m');
  });

  it('--columns keeps __proto__ and constructor as own keys (so the field check can refuse them)', () => {
    const columns = Flags.parse('embed', ['--columns', '__proto__=a,constructor=b,text=c'], SPEC).keyValues('columns');
    expect(columns).toBeDefined();
    expect(Object.keys(columns as object)).toEqual(['__proto__', 'constructor', 'text']);
    expect(Object.getPrototypeOf(columns)).toBe(Object.prototype);
  });

  it('an unexpected argument is shown capped, not whole', () => {
    const message = parseError(['x'.repeat(5000)]);
    expect(message).toMatch(/^unexpected argument "x{40}…" \(5,000 characters\) for 'embed'/);
    expect(message.length).toBeLessThan(200);
  });
});
