/**
 * Plain-JS references of the batch triplet losses on a case's distance matrix (losses-v2 `details.distance_matrix`)
 * and labels, used to show that a wrong variant (a different margin, a mean over non-singleton anchors only, …)
 * would not match the case.
 */
import { v2Case } from './v2';

export function caseDistances(name: string): { d: number[][]; labels: number[]; value: number } {
  const c = v2Case(name);
  const d = (c as unknown as { details: { distance_matrix: number[][] } }).details.distance_matrix;
  return { d, labels: c.inputs.label as number[], value: c.value };
}

/** Per anchor: hardest positive distance (0 without one) and hardest negative distance. */
export function hardest(d: number[][], labels: number[]): { pos: number; neg: number; singleton: boolean }[] {
  return d.map((row, a) => {
    const pos = row.filter((_, j) => j !== a && labels[j] === labels[a]);
    const neg = row.filter((_, j) => labels[j] !== labels[a]);
    return { pos: pos.length ? Math.max(...pos) : 0, neg: Math.min(...neg), singleton: pos.length === 0 };
  });
}

export const relDiff = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
