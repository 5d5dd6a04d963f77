/**
 * The pooling strategies the engine implements, in a module without tf.js so the folder readers
 * (io/sentenceTransformers.ts) and the page can name them; `pool` in pooling.ts runs them.
 *
 * - `mean`: average of the real tokens' states;
 * - `cls`: the first token's state;
 * - `max`: element-wise max over real tokens (padding set to -1e9 first);
 * - `last_weighted`: SGPT's position-weighted mean, token t of a text weighted t (1..L over real tokens);
 * - `lasttoken`: the state of each text's last real token (the last position whose mask is 1; a zero vector
 *   for a row with none), sentence-transformers' `pooling_mode_lasttoken`, for decoder models such as GPT-2.
 */
export type PoolingMode = 'mean' | 'cls' | 'max' | 'last_weighted' | 'lasttoken';

export const POOLING_MODES: readonly PoolingMode[] = ['mean', 'cls', 'max', 'last_weighted', 'lasttoken'];
