/**
 * An error the user can cause and fix (bad file, bad flag, unsupported model). Its message names the
 * file and, where it applies, the row or tensor, says what is wrong and how to fix it. The UI and the CLI
 * show `message` as is; anything that is not an EngineError is a bug.
 */
export class EngineError extends Error {
  /** Machine-readable kind, for UI placement and tests. */
  readonly code: EngineErrorCode;

  constructor(code: EngineErrorCode, message: string) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
  }
}

export type EngineErrorCode =
  | 'bad_safetensors'
  | 'bad_config'
  | 'unsupported_model'
  | 'missing_file'
  | 'missing_tensor'
  | 'bad_tokenizer'
  | 'bad_dataset'
  | 'bad_mapping'
  | 'bad_option'
  | 'out_of_memory'
  | 'device_lost'
  | 'cancelled';

export function isEngineError(e: unknown): e is EngineError {
  return e instanceof EngineError;
}
