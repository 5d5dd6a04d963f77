/**
 * RoBERTa-style position ids, host side (no tf.js): Hugging Face's `create_position_ids_from_input_ids`.
 * Tokens that are not `paddingIdx` count up from `paddingIdx + 1` (left to right, each row alone); padding
 * tokens get `paddingIdx` itself. RoBERTa and XLM-RoBERTa use config.json's pad_token_id; MPNet always 1.
 */

/**
 * @param inputIds row-major [batch, seqLen]
 * @returns position ids, row-major [batch, seqLen]: `cumsum(mask) * mask + paddingIdx`, mask = id ≠ paddingIdx
 */
export function paddingOffsetPositionIds(inputIds: Int32Array, batch: number, seqLen: number, paddingIdx: number): Int32Array {
  if (!Number.isInteger(batch) || !Number.isInteger(seqLen) || batch < 0 || seqLen < 0 || inputIds.length !== batch * seqLen) {
    throw new RangeError(`paddingOffsetPositionIds: ${inputIds.length} ids do not make a [${batch}, ${seqLen}] batch.`);
  }
  const out = new Int32Array(inputIds.length);
  for (let b = 0; b < batch; b++) {
    let count = 0;
    for (let t = 0; t < seqLen; t++) {
      const i = b * seqLen + t;
      if (inputIds[i] === paddingIdx) {
        out[i] = paddingIdx;
      } else {
        count++;
        out[i] = count + paddingIdx;
      }
    }
  }
  return out;
}
