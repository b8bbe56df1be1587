/**
 * Flags that several commands share, defined once so that every command spells them alike:
 *  --out, -o     what the command writes (a file or a directory);
 *  --model-path  the model the command uses or starts from;
 *  --think       Qwen3's thinking switch (--no-think: the empty think block).
 * Earlier spellings (`--output-dir` of sft/train, `--thinking` of tokenize) still work as aliases;
 * the base command prints a deprecation warning when one is used.
 */
import { Flags } from '@oclif/core';

/** Deprecated spelling -> the flag to use instead. */
export const DEPRECATED_FLAG_SPELLINGS: Readonly<Record<string, string>> = {
  'output-dir': 'out',
  thinking: 'think',
};

export function outFlag(options: { description: string; helpValue: string }) {
  return Flags.string({ char: 'o', aliases: ['output-dir'], ...options });
}

export function modelPathFlag(description: string, relations: { exclusive?: string[] } = {}) {
  return Flags.string({ description, helpValue: '<dir>', ...relations });
}

export function thinkFlag(description: string) {
  return Flags.boolean({ allowNo: true, aliases: ['thinking'], description });
}

/**
 * One warning per deprecated spelling in argv (`--output-dir x`, `--output-dir=x`, `--no-thinking`),
 * for the flags this command has (`flagNames`).
 */
export function deprecationWarnings(argv: readonly string[], flagNames: ReadonlySet<string>): string[] {
  const warnings: string[] = [];
  for (const arg of argv) {
    if (arg === '--') break;
    const match = /^--(no-)?([^=]+)/.exec(arg);
    if (!match) continue;
    const [, no = '', name] = match;
    const to = DEPRECATED_FLAG_SPELLINGS[name!];
    if (to !== undefined && flagNames.has(to)) warnings.push(`--${no}${name} is deprecated; use --${no}${to}`);
  }
  return warnings;
}
