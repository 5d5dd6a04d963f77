import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, optionsToSettings, parseMatryoshkaDims, planOptions, settingsProblems } from '../../../src/ui/store/settingsSlice';

describe('group size and Matryoshka widths in the settings form', () => {
  it('parses widths, and says what is wrong with a bad list', () => {
    expect(parseMatryoshkaDims('', 384)).toEqual([]);
    expect(parseMatryoshkaDims(' 384, 256 ,128,', 384)).toEqual([384, 256, 128]);
    expect(parseMatryoshkaDims('384, x', 384)).toEqual({ problem: '"x" is not a whole number ≥ 1: list widths like 384, 256, 128.' });
    expect(parseMatryoshkaDims('64, 64', 384)).toEqual({ problem: 'Each width may appear once.' });
    expect(parseMatryoshkaDims('512', 384)).toEqual({ problem: "This model's embeddings have 384 dimensions; list widths up to 384." });
    expect(parseMatryoshkaDims('512', null)).toEqual([512]);
  });

  it('become run options only when set, and come back from them', () => {
    expect(planOptions(DEFAULT_SETTINGS)).not.toHaveProperty('groupSize');
    expect(planOptions(DEFAULT_SETTINGS)).not.toHaveProperty('matryoshka');
    const set = { ...DEFAULT_SETTINGS, groupSize: 8, matryoshkaDims: '96, 48' };
    const o = planOptions(set);
    expect(o.groupSize).toBe(8);
    expect(o.matryoshka).toEqual({ dims: [96, 48] });
    const back = optionsToSettings(o, set.maxLength, 100);
    expect([back.groupSize, back.matryoshkaDims]).toEqual([8, '96, 48']);
  });

  it('flag a bad list or group size next to the field', () => {
    const p = settingsProblems({ ...DEFAULT_SETTINGS, matryoshkaDims: '1000', groupSize: -1 }, 512, 96);
    expect(p.matryoshkaDims).toMatch(/96 dimensions/);
    expect(p.groupSize).toMatch(/whole number from 1 to 1024, or 0/);
    expect(settingsProblems({ ...DEFAULT_SETTINGS, matryoshkaDims: '96, 48', groupSize: 4 }, 512, 96)).toEqual({});
  });
});
