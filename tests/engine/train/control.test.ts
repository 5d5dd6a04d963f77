import { describe, expect, it } from 'vitest';
import { TrainingControl } from '../../../src/engine/train/control';

describe('TrainingControl', () => {
  it('lets steps through while running', async () => {
    const c = new TrainingControl();
    expect(await c.gate()).toBe('continue');
  });

  it('holds the gate while paused until resumed, reporting the pause once', async () => {
    const c = new TrainingControl();
    c.pause();
    let pauses = 0;
    let passed = false;
    const gate = c.gate(() => pauses++).then((r) => {
      passed = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(passed).toBe(false);
    expect(c.current).toBe('paused');
    c.resume();
    expect(await gate).toBe('continue');
    expect(pauses).toBe(1);
  });

  it('answers stop after stop(), also when stopped while paused', async () => {
    const c = new TrainingControl();
    c.pause();
    const gate = c.gate();
    c.stop();
    expect(await gate).toBe('stop');
    expect(await c.gate()).toBe('stop');
    c.resume();
    expect(c.current).toBe('stopping');
  });
});

describe('TrainingControl under a busy loop', () => {
  it('lets a stop scheduled as a macrotask reach a loop that only awaits gate()', async () => {
    const c = new TrainingControl();
    setTimeout(() => c.stop(), 0);
    let turns = 0;
    while ((await c.gate()) === 'continue' && turns < 1000) turns++;
    expect(turns).toBeLessThan(1000);
  });
});
