/**
 * The engine flag shared by the model commands (generate, sft, train, eval): `--threads` overrides
 * the config's engine.threads.
 */
import { Flags } from '@oclif/core';

export const threadsFlag = Flags.integer({
  min: 1,
  description: 'threads for the model (default: engine.threads, every core); results do not depend on it',
  helpValue: '<n>',
});

/** The config overrides of the engine flags (nothing when none is given). */
export function engineOverrides(flags: { threads?: number }): { engine?: { threads: number } } {
  return flags.threads === undefined ? {} : { engine: { threads: flags.threads } };
}
