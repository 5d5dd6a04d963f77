/** An error as it crosses a worker boundary ({name, message, stack, code}); shared by both workers. */
import { EngineError } from '../engine/errors';
import type { SerializedError } from './protocol';

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) {
    const code = e instanceof EngineError ? e.code : null;
    return { name: e.name, message: e.message, stack: e.stack ?? null, code };
  }
  return { name: 'Error', message: String(e), stack: null, code: null };
}
