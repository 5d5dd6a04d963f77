import { describe, expect, it } from 'vitest';
import { isEngineError } from '../../../../src/engine/errors';
import type { EmbedFn } from '../../../../src/engine/eval/embedTexts';
import { GENERAL_PAIRS } from '../../../../src/engine/eval/general/pairs';
import { bundledGeneralPairs, generalDomainScore } from '../../../../src/engine/eval/general/score';
import type { ScoredPairRecord } from '../../../../src/engine/records';

/** An embedder from a fixed table: sentence1 of pair i at angle 0, sentence2 at angle[i] (cosine = cos angle). */
function tableEmbed(pairs: readonly ScoredPairRecord[], angles: readonly number[]): { embed: EmbedFn; roles: string[] } {
  const table = new Map<string, Float32Array>();
  pairs.forEach((p, i) => {
    table.set(p.sentence1, Float32Array.of(1, 0));
    table.set(p.sentence2, Float32Array.of(Math.cos(angles[i]), Math.sin(angles[i])));
  });
  const roles: string[] = [];
  const embed: EmbedFn = async (texts, role) => {
    roles.push(role);
    return texts.map((t) => table.get(t) as Float32Array);
  };
  return { embed, roles };
}

const pairs = (labels: number[]): ScoredPairRecord[] => labels.map((label, i) => ({ sentence1: `a${i}`, sentence2: `b${i}`, label }));

describe('generalDomainScore', () => {
  it('is 1 when cosines rank the pairs as the scores do, −1 when reversed', async () => {
    const p = pairs([0.2, 0.9, 0.5, 0.1]);
    // Higher label → smaller angle → higher cosine.
    expect(await generalDomainScore(tableEmbed(p, [1.2, 0.1, 0.6, 1.5]).embed, p)).toBeCloseTo(1, 12);
    expect(await generalDomainScore(tableEmbed(p, [0.3, 1.5, 0.9, 0.1]).embed, p)).toBeCloseTo(-1, 12);
  });

  it('matches a hand-computed Spearman correlation', async () => {
    // Labels rank [1, 3, 2, 4]; cosines (angles 1.0, 0.2, 0.1, 0.05 → cos ascending) rank [1, 2, 3, 4].
    // rho = 1 − 6·Σd²/(n(n²−1)) = 1 − 6·(0+1+1+0)/60 = 0.8.
    const p = pairs([0.1, 0.6, 0.4, 0.9]);
    expect(await generalDomainScore(tableEmbed(p, [1.0, 0.2, 0.1, 0.05]).embed, p)).toBeCloseTo(0.8, 12);
  });

  it('embeds both sides with the query prompt, once', async () => {
    const p = pairs([0.1, 0.5, 0.9]);
    const { embed, roles } = tableEmbed(p, [1, 0.5, 0.1]);
    await generalDomainScore(embed, p);
    expect(roles).toEqual(['query']);
  });

  it('scores a collapsed model (every text embedded alike) 0 instead of failing', async () => {
    const p = pairs([0.1, 0.5, 0.9]);
    const embed: EmbedFn = async (texts) => texts.map(() => Float32Array.of(1, 1));
    expect(await generalDomainScore(embed, p)).toBe(0);
  });

  it('refuses a set too small or without varying scores, plainly', async () => {
    const embed: EmbedFn = async (texts) => texts.map(() => Float32Array.of(1, 0));
    for (const bad of [pairs([0.1, 0.9]), pairs([0.5, 0.5, 0.5])]) {
      const e = await generalDomainScore(embed, bad).catch((x: unknown) => x);
      expect(isEngineError(e)).toBe(true);
    }
  });

  it('the bundled set: 64 distinct pairs, whole scores 0..5 covering every grade, labels on 0..1', () => {
    expect(GENERAL_PAIRS.length).toBe(64);
    expect(new Set(GENERAL_PAIRS.map(([a, b]) => `${a}|${b}`)).size).toBe(64);
    for (const [a, b, s] of GENERAL_PAIRS) {
      expect(Number.isInteger(s) && s >= 0 && s <= 5).toBe(true);
      expect(a).not.toBe(b);
    }
    expect(new Set(GENERAL_PAIRS.map(([, , s]) => s))).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    expect(bundledGeneralPairs()[0]).toEqual({ sentence1: GENERAL_PAIRS[0][0], sentence2: GENERAL_PAIRS[0][1], label: 1 });
  });
});
