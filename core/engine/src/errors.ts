/**
 * Errors a user can cause in the engine (a backend that will not start, a model directory that is
 * not one). The CLI prints their message without a stack trace, as it does @medrl/core's MedrlError;
 * the engine has its own class because it never imports the runtime.
 */
export class EngineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The message of anything thrown, for wrapping. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
