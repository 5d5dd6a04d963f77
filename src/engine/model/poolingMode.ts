/**
 * The pooling strategies the engine implements, in a module without tf.js so the folder readers
 * (io/sentenceTransformers.ts) and the page can name them; `pool` in pooling.ts runs them.
 *
 * - `mean`: average of the real tokens' states;
 * - `cls`: the first token's state;
 * - `max`: element-wise max over real tokens (padding set to -1e9 first);
 * - `last_weighted`: SGPT's position-weighted mean, token t of a text weighted t (1..L over real tokens).
 */
export type PoolingMode = 'mean' | 'cls' | 'max' | 'last_weighted';

export const POOLING_MODES: readonly PoolingMode[] = ['mean', 'cls', 'max', 'last_weighted'];
