import { describe, expect, it } from 'vitest';
import { interruptible, megabytes, progressTicker } from '../../src/cli/phases';

describe('progressTicker', () => {
  it('prints nothing in the first second, then at most one line a second', () => {
    const lines: string[] = [];
    let t = 0;
    const tick = progressTicker({ out: () => {}, err: (l) => lines.push(l) }, 1000, () => t);
    let made = 0;
    const line = () => `line ${++made}`;
    for (t = 0; t < 999; t += 100) tick(line);
    expect(lines).toEqual([]);
    t = 1000;
    tick(line);
    t = 1500;
    tick(line);
    t = 2000;
    tick(line);
    expect(lines).toEqual(['line 1', 'line 2']);
    expect(made).toBe(2);
  });

  it('formats megabytes with one decimal', () => {
    expect(megabytes(300_000_000)).toBe('300.0');
    expect(megabytes(123_456)).toBe('0.1');
  });
});

describe('interruptible', () => {
  it('hands the phase a live signal and removes its SIGINT handler afterwards, also when the phase throws', async () => {
    const io = { out: () => {}, err: () => {} };
    const before = process.listenerCount('SIGINT');
    expect(await interruptible(io, 'reading x', async (signal) => {
      expect(process.listenerCount('SIGINT')).toBe(before + 1);
      return signal.aborted;
    })).toBe(false);
    await expect(interruptible(io, 'reading x', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
