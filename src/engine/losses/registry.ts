/**
 * Every loss by name: one definition per file. A new loss is its file and one line here. tf-free at runtime (the
 * definitions import tf.js for types only), so the page reads it without loading tf.js.
 */
import { angle } from './angle';
import { batchAllTriplet } from './batchAllTriplet';
import { batchHardSoftMarginTriplet } from './batchHardSoftMarginTriplet';
import { batchHardTriplet } from './batchHardTriplet';
import { batchSemiHardTriplet } from './batchSemiHardTriplet';
import { contrastive } from './contrastive';
import { cosent } from './cosent';
import { cosine } from './cosineSimilarity';
import type { LossDefinition, LossName } from './definition';
import { distillKl } from './distillKl';
import { gist } from './gist';
import { marginMse } from './marginMse';
import { megaBatchMargin } from './megaBatchMargin';
import { mnrl } from './mnrl';
import { mnrlGte } from './mnrlGte';
import { mnrlSymmetric } from './mnrlSymmetric';
import { onlineContrastive } from './onlineContrastive';
import { softmax } from './softmax';
import { triplet } from './triplet';
import { uniemTriplet } from './uniemTriplet';

export const LOSSES: Readonly<Record<LossName, LossDefinition>> = {
  mnrl,
  'mnrl-symmetric': mnrlSymmetric,
  'mnrl-gte': mnrlGte,
  'uniem-triplet': uniemTriplet,
  gist,
  'mega-batch-margin': megaBatchMargin,
  cosent,
  angle,
  cosine,
  contrastive,
  'online-contrastive': onlineContrastive,
  triplet,
  softmax,
  'batch-all-triplet': batchAllTriplet,
  'batch-hard-triplet': batchHardTriplet,
  'batch-semi-hard-triplet': batchSemiHardTriplet,
  'batch-hard-soft-margin-triplet': batchHardSoftMarginTriplet,
  'margin-mse': marginMse,
  'distill-kl': distillKl,
};
