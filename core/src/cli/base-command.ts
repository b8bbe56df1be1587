/**
 * The base of every medrl command: the shared `--config` flag, `--json` output (oclif's own), a
 * Run opened on demand and always closed, graceful stops of training commands, and user errors
 * printed without a stack trace. Under `--json` every error is one clean JSON document
 * `{error: {name, message}}` on stdout; flag-parse errors exit 2, as without `--json`.
 *
 * Command files import only oclif and this folder at the top: everything else is imported inside
 * `run()`, because oclif loads every command file to list them (help, completion, "did you mean").
 */
import { Command, Flags, type Interfaces } from '@oclif/core';
import { MedrlError } from '../errors.js';
import { exitCodeOf, listenForStop, stopSignalName, type GracefulStop } from '../runtime/interrupt.js';
import type { Run } from '../runtime/run.js';
import { escapeControl } from '../text.js';
import { deprecationWarnings } from './flags.js';
import { closestMatch } from './suggest.js';

/** Commands that stop after the current step on the first SIGINT/SIGTERM. */
const GRACEFUL_COMMANDS = new Set(['sft', 'train']);

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof MedrlCommand)['baseFlags'] & T['flags']
>;

/** What oclif's parser throws (bad, missing or unknown flags and arguments): exit code 2. */
interface ParseError extends Error {
  oclif?: { exit?: number };
  flags?: string[];
}

export abstract class MedrlCommand extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    config: Flags.string({
      char: 'c',
      description:
        'config file (default: medrl.config.* / .medrlrc* / package.json "medrl", searched from the current directory)',
      helpValue: '<file>',
    }),
  };

  private run_?: Run;
  private stop_?: GracefulStop;

  override async init(): Promise<void> {
    await super.init();
    // On stderr with --json too (logToStderr is silent then): scripts are what an alias removal breaks.
    for (const warning of deprecationWarnings(this.argv, new Set(Object.keys(this.flagDefinitions())))) {
      process.stderr.write(`warning: ${warning}\n`);
    }
  }

  /**
   * Opens the run (config, DI container, plugins) once; it is closed when the command ends.
   * `graceful` (default for `sft` and `train`): the first SIGINT/SIGTERM asks the trainer to stop after the
   * current step (Run.stopSignal) and a second one ends the process; otherwise SIGINT cancels the
   * run's work at once (Run.context.signal).
   */
  protected async openRun(
    command: string,
    overrides?: Record<string, unknown>,
    options: { graceful?: boolean } = {},
  ): Promise<Run> {
    if (!this.run_) {
      const { flags } = await this.parse(this.constructor as typeof MedrlCommand);
      const { openRun } = await import('../runtime/run.js');
      const controller = new AbortController();
      if (options.graceful ?? GRACEFUL_COMMANDS.has(command)) {
        this.stop_ = listenForStop((name) =>
          this.logToStderr(
            `${name}: stopping after the current step and writing a checkpoint (press Ctrl-C again to quit at once)`,
          ),
        );
      } else process.once('SIGINT', () => controller.abort());
      this.run_ = await openRun({
        command,
        configPath: (flags as { config?: string }).config,
        overrides,
        signal: controller.signal,
        stopSignal: this.stop_?.signal,
      });
    }
    return this.run_;
  }

  /**
   * Ends a training command that a signal stopped: its result goes out as usual (the JSON document
   * under --json), then `line` (how to continue) and exit code 130 (SIGINT) or 143 (SIGTERM).
   */
  protected exitInterrupted(result: unknown, line: string): never {
    if (this.jsonEnabled()) this.logJson(result);
    throw new InterruptedExit(line, exitCodeOf(this.run_ ? stopSignalName(this.run_) : undefined));
  }

  protected override async finally(error: Error | undefined): Promise<unknown> {
    this.stop_?.dispose();
    await this.run_?.close();
    return super.finally(error);
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (error instanceof InterruptedExit) {
      this.logToStderr(error.message);
      this.exit(error.exitCode);
    }
    if (error instanceof ExitCodeError) {
      // The command already reported its result (with --json, as the one JSON document on stdout).
      this.logToStderr(`error: ${escapeControl(error.message)}`);
      this.exit(error.exitCode);
    }
    if (error instanceof MedrlError) {
      if (this.jsonEnabled()) this.logJson({ error: { name: error.name, message: error.message } });
      // Messages may quote input (a field value, a line): its control characters must not reach the terminal.
      this.logToStderr(`error: ${escapeControl(error.message)}`);
      this.exit(1);
    }
    // this.exit(n) inside run() throws oclif's ExitError: an exit code, not an error to report.
    if ((error as { code?: string }).code === 'EEXIT') throw error;
    const parseError = error as ParseError;
    if (Array.isArray(parseError.flags)) error.message = this.withFlagSuggestions(error.message, parseError.flags);
    if (this.jsonEnabled()) {
      // oclif would print the error object itself: its parser state and the whole config.
      this.logJson({ error: { name: error.name, message: error.message } });
      this.exit(parseError.oclif?.exit ?? error.exitCode ?? 1);
    }
    return super.catch(error);
  }

  private flagDefinitions(): Record<string, unknown> {
    const ctor = this.constructor as typeof MedrlCommand;
    return { ...ctor.baseFlags, ...ctor.flags, ...(ctor.enableJsonFlag ? { json: true } : {}) };
  }

  /** "Nonexistent flag: --ouput" gains "(did you mean --out?)". */
  private withFlagSuggestions(message: string, unknown: readonly string[]): string {
    const names = Object.keys(this.flagDefinitions());
    const hints = unknown.flatMap((typed) => {
      const match = closestMatch(typed.replace(/^-+/, '').split('=')[0]!, names);
      return match ? [`${typed.split('=')[0]} -> --${match}`] : [];
    });
    return hints.length === 0 ? message : `${message}\nDid you mean: ${hints.join(', ')}?`;
  }
}

/** Ends a command with a given exit code after it has reported what went wrong. */
export class ExitCodeError extends MedrlError {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** A training command stopped by SIGINT/SIGTERM: the message says how to continue. */
export class InterruptedExit extends ExitCodeError {}
