import { describe, expect, it } from 'vitest';
import { DEMO_MAX_SEQ_LENGTH, DEMO_TRAINING } from '../../../src/engine/demo';
import { NO_PROMPTS } from '../../../src/engine/prompts';
import { createStudioStore } from '../../../src/ui/store';

describe("the note on what the demo model's defaults changed", () => {
  it('lists each changed setting, before → after, and why; dismissable; replaced on the next model load', () => {
    const store = createStudioStore();
    expect(store.getState().defaultsNote).toBeNull();
    store.getState().modelDefaults(DEMO_MAX_SEQ_LENGTH, DEMO_TRAINING, NO_PROMPTS);
    const note = store.getState().defaultsNote;
    // From the form's defaults (batch 32, lr 2e-5, max length 128, the config's dropout); loss, epochs and warmup stay.
    expect(note).toMatch(
      /^The demo model suggests: batch size 32 → 16, learning rate 2e-5 → 4e-3, max length 128 → 32, dropout the model config's → off \(it is a tiny model starting from random weights/,
    );
    expect(note).not.toMatch(/loss|epochs|warmup/);
    store.getState().defaultsNoteDismissed();
    expect(store.getState().defaultsNote).toBeNull();

    // Loaded again on the demo settings: nothing changes, so no note.
    store.getState().modelDefaults(DEMO_MAX_SEQ_LENGTH, DEMO_TRAINING, NO_PROMPTS);
    expect(store.getState().defaultsNote).toBeNull();

    store.getState().settingsChanged({ batchSize: 8 });
    store.getState().modelDefaults(DEMO_MAX_SEQ_LENGTH, DEMO_TRAINING, NO_PROMPTS);
    expect(store.getState().defaultsNote).toMatch(/^The demo model suggests: batch size 8 → 16 \(/);

    // Another model brings no suggestions: the note goes.
    store.getState().modelDefaults(256, null, NO_PROMPTS);
    expect(store.getState().defaultsNote).toBeNull();
  });
});
