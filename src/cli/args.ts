/**
 * Flag parsing for the CLI on node:util's parseArgs, with typed getters that turn every bad value into a
 * one-line `CliError` naming the flag and what it accepts.
 */
import { parseArgs } from 'node:util';

/** A usage error: printed as `error: <message>`, exit code 2. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export class Flags {
  constructor(
    private readonly command: string,
    private readonly values: Record<string, string | boolean | undefined>,
  ) {}

  static parse(command: string, argv: string[], spec: FlagSpec): Flags {
    try {
      const { values, positionals } = parseArgs({ args: argv, options: { ...spec, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
      if (positionals.length > 0) throw new CliError(`unexpected argument '${positionals[0]}' for '${command}': flags take the form --name value (see '${command} --help')`);
      return new Flags(command, values as Record<string, string | boolean | undefined>);
    } catch (e) {
      if (e instanceof CliError) throw e;
      const msg = e instanceof Error ? e.message.replace(/\. To specify.*$/s, '') : String(e);
      throw new CliError(`${msg} (see '${command} --help')`);
    }
  }

  has(name: string): boolean {
    return this.values[name] !== undefined;
  }

  bool(name: string): boolean {
    return this.values[name] === true;
  }

  string(name: string): string | undefined {
    const v = this.values[name];
    return typeof v === 'string' ? v : undefined;
  }

  required(name: string): string {
    const v = this.string(name);
    if (v === undefined || v === '') throw new CliError(`'${this.command}' needs --${name} (see '${this.command} --help')`);
    return v;
  }

  /** A numeric flag; `min`/`max` are inclusive bounds, `above`/`below` exclusive ones. */
  number(name: string, check: { min?: number; max?: number; above?: number; below?: number; integer?: boolean } = {}): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    const kind = check.integer ? 'a whole number' : 'a number';
    const bounds: [number | undefined, string, (b: number) => boolean][] = [
      [check.min, '≥', (b) => n >= b],
      [check.above, '>', (b) => n > b],
      [check.max, '≤', (b) => n <= b],
      [check.below, '<', (b) => n < b],
    ];
    const range = bounds.filter(([b]) => b !== undefined).map(([b, sign]) => `${sign} ${b}`).join(' and ');
    const ok = raw.trim() !== '' && Number.isFinite(n) && (!check.integer || Number.isInteger(n)) && bounds.every(([b, , holds]) => b === undefined || holds(b));
    if (!ok) throw new CliError(`--${name} must be ${kind}${range ? ` ${range}` : ''}, not '${raw}'`);
    return n;
  }

  choice<T extends string>(name: string, choices: readonly T[]): T | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (!(choices as readonly string[]).includes(raw)) throw new CliError(`--${name} must be one of ${choices.join(', ')}, not '${raw}'`);
    return raw as T;
  }

  /** `a=b,c=d` → { a: 'b', c: 'd' }. */
  keyValues(name: string): Record<string, string> | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const part of raw.split(',')) {
      const eq = part.indexOf('=');
      if (eq <= 0 || eq === part.length - 1) throw new CliError(`--${name} takes field=column pairs separated by commas (e.g. text=question,text_pos=answer), not '${raw}'`);
      out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
    return out;
  }

  /** Rejects flags that exclude each other. */
  exclusive(a: string, b: string): void {
    if (this.has(a) && this.has(b)) throw new CliError(`--${a} and --${b} exclude each other: give one`);
  }
}
