/** The oracle metrics fixture (tests/fixtures/metrics.json, a copy of shared/oracle/metrics.json), typed. */
import metrics from '../../fixtures/metrics.json';
import type { TextRole } from '../../../src/engine/prompts';

export const oracle = metrics;

/** Absolute tolerance the evaluation code must meet against the oracle. */
export const TOL = 1e-6;

/** The oracle's relevant docs per query, as sets in query order. */
export function oracleRelevant(): Set<number>[] {
  const rel: Record<string, number[]> = oracle.ir.relevant;
  return oracle.ir.queries.map((_, q) => new Set(rel[String(q)]));
}

/** A fake embed over a text → vector table: records every call, throws on unknown texts. */
export function fakeEmbed(table: ReadonlyMap<string, readonly number[]>): {
  embed: (texts: string[], role: TextRole) => Promise<Float32Array[]>;
  calls: string[][];
  /** The role of each call. */
  roles: TextRole[];
} {
  const calls: string[][] = [];
  const roles: TextRole[] = [];
  const embed = async (texts: string[], role: TextRole): Promise<Float32Array[]> => {
    calls.push([...texts]);
    roles.push(role);
    return texts.map((t) => {
      const v = table.get(t);
      if (v === undefined) throw new Error(`fake embed: unknown text '${t}'`);
      return Float32Array.from(v);
    });
  };
  return { embed, calls, roles };
}
