/**
 * Errors a user can cause. The CLI prints their message without a stack trace; each message
 * names what to fix (file and line, config path, plugin and hook, flag).
 */
export class MedrlError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The config file is missing, unreadable or invalid. */
export class ConfigError extends MedrlError {}

/** A plugin could not be found, loaded, or set up, or threw in a hook. */
export class PluginError extends MedrlError {
  constructor(
    readonly plugin: string,
    readonly hook: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`plugin "${plugin}" (${hook}): ${message}`, options);
  }
}

/** A reward component misbehaved (wrong count, NaN, threw). */
export class RewardComponentError extends MedrlError {
  constructor(
    readonly component: string,
    message: string,
    options?: { cause?: unknown },
    /** The plugin that registered the component, when known. */
    readonly plugin?: string,
  ) {
    super(`reward component "${component}"${plugin ? ` (plugin "${plugin}")` : ''}: ${message}`, options);
  }
}

/** The message of anything thrown, for wrapping. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
