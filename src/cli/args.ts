/**
 * Flag parsing for the CLI on node:util's parseArgs, with typed getters that turn every bad value into a
 * one-line `CliError` naming the flag and what it accepts.
 */
import { parseArgs } from 'node:util';
import { describeValue, ownValue } from '../engine/untrusted';

/** A usage error: printed as `error: <message>`, exit code 2. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bounds of a numeric flag (an engine `OptionRange` is one). */
export interface NumberCheck {
  min?: number;
  minExclusive?: boolean;
  max?: number;
  maxExclusive?: boolean;
  /** Exclusive lower / upper bounds (the same as min/max with minExclusive/maxExclusive). */
  above?: number;
  below?: number;
  integer?: boolean;
  /** A value most runs use, shown when the flag is refused. */
  typical?: string;
}

/** A command-line argument as an error message shows it: 'as typed' when short, else quoted and cut. */
export function shownArgument(raw: string): string {
  return raw.length <= 40 && !/[\u0000-\u001f'\u007f]/.test(raw) ? `'${raw}'` : describeValue(raw);
}

/** Longest message of node:util's parseArgs kept (it quotes the unknown flag whole). */
const MAX_MESSAGE = 160;

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export class Flags {
  constructor(
    private readonly command: string,
    private readonly values: Record<string, string | boolean | undefined>,
  ) {}

  static parse(command: string, argv: string[], spec: FlagSpec): Flags {
    try {
      const { values, positionals } = parseArgs({ args: argv, options: { ...spec, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
      if (positionals.length > 0) throw new CliError(`unexpected argument ${shownArgument(positionals[0])} for '${command}': flags take the form --name value (see '${command} --help')`);
      return new Flags(command, values as Record<string, string | boolean | undefined>);
    } catch (e) {
      if (e instanceof CliError) throw e;
      const ambiguous = e instanceof Error ? /^Option '(--[^']+)' argument is ambiguous/.exec(e.message) : null;
      if (ambiguous) throw new CliError(`${ambiguous[1]} needs a value; a value that starts with a dash is written ${ambiguous[1]}=-VALUE (see '${command} --help')`);
      const msg = e instanceof Error ? e.message.replace(/\. To specify.*$/s, '') : 'the flags could not be read';
      throw new CliError(`${msg.length > MAX_MESSAGE ? `${msg.slice(0, MAX_MESSAGE)}…` : msg} (see '${command} --help')`);
    }
  }

  has(name: string): boolean {
    return ownValue(this.values, name) !== undefined;
  }

  bool(name: string): boolean {
    return ownValue(this.values, name) === true;
  }

  string(name: string): string | undefined {
    const v = ownValue(this.values, name);
    return typeof v === 'string' ? v : undefined;
  }

  required(name: string): string {
    const v = this.string(name);
    if (v === undefined || v === '') throw new CliError(`'${this.command}' needs --${name} (see '${this.command} --help')`);
    return v;
  }

  /**
   * A numeric flag. `min`/`max` are inclusive bounds unless `minExclusive`/`maxExclusive` (or the exclusive
   * `above`/`below`); an engine OptionRange fits as it is. NaN and ±Infinity are always refused.
   */
  number(name: string, check: NumberCheck = {}): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    const bounds: [number | undefined, string, (b: number) => boolean][] = [
      [check.minExclusive ? undefined : check.min, '≥', (b) => n >= b],
      [check.minExclusive ? check.min : check.above, '>', (b) => n > b],
      [check.maxExclusive ? undefined : check.max, '≤', (b) => n <= b],
      [check.maxExclusive ? check.max : check.below, '<', (b) => n < b],
    ];
    const range = bounds.filter(([b]) => b !== undefined).map(([b, sign]) => `${sign} ${b}`).join(' and ');
    const ok = raw.trim() !== '' && Number.isFinite(n) && (!check.integer || Number.isInteger(n)) && bounds.every(([b, , holds]) => b === undefined || holds(b));
    if (!ok) {
      const expected = `${check.integer ? 'a whole number' : 'a number'}${range ? ` ${range}` : ''}${check.typical ? ` (typical: ${check.typical})` : ''}`;
      const why = raw.trim() !== '' && !Number.isNaN(n) && !Number.isFinite(n) ? ' (too large: it reads as Infinity)' : '';
      throw new CliError(`--${name} must be ${expected}, not ${shownArgument(raw)}${why}`);
    }
    return n;
  }

  choice<T extends string>(name: string, choices: readonly T[]): T | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (!(choices as readonly string[]).includes(raw)) throw new CliError(`--${name} must be one of ${choices.join(', ')}, not ${shownArgument(raw)}`);
    return raw as T;
  }

  /** `a=b,c=d` → { a: 'b', c: 'd' }. */
  keyValues(name: string, form = 'field=column pairs separated by commas (e.g. text=question,text_pos=answer)'): Record<string, string> | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const pairs: [string, string][] = [];
    for (const part of raw.split(',')) {
      const eq = part.indexOf('=');
      if (eq <= 0 || eq === part.length - 1) throw new CliError(`--${name} takes ${form}, not ${shownArgument(raw)}`);
      pairs.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
    }
    // fromEntries defines own keys, so '__proto__=x' stays a key the caller can refuse instead of vanishing.
    return Object.fromEntries(pairs);
  }

  /** Rejects flags that exclude each other. */
  exclusive(a: string, b: string): void {
    if (this.has(a) && this.has(b)) throw new CliError(`--${a} and --${b} exclude each other: give one`);
  }
}
