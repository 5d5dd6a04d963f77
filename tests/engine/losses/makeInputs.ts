/** LossInputs for hand-built tests: the roles given, every other input null (negativesPerRow from the negatives). */
import type * as tf from '@tensorflow/tfjs';
import type { LossInputs } from '../../../src/engine/losses/definition';

export function makeInputs(roles: Partial<LossInputs> & { anchor: tf.Tensor2D }): LossInputs {
  return {
    positive: null,
    negatives: null,
    negativesPerRow: roles.negatives ? roles.negatives.shape[0] / roles.anchor.shape[0] : 0,
    labels: null,
    teacher: null,
    guide: null,
    classifier: null,
    ...roles,
  };
}
