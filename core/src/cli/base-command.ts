/**
 * The base of every medrl command: the shared `--config` flag, `--json` output (oclif's own), a
 * Run opened on demand and always closed, and user errors printed without a stack trace.
 */
import { Command, Flags, type Interfaces } from '@oclif/core';
import { MedrlError } from '../errors.js';
import { exitCodeOf, listenForStop, stopSignalName, type GracefulStop } from '../runtime/interrupt.js';
import { openRun, type Run } from '../runtime/run.js';

/** Commands that stop after the current step on the first SIGINT/SIGTERM. */
const GRACEFUL_COMMANDS = new Set(['sft', 'train']);

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof MedrlCommand)['baseFlags'] & T['flags']
>;

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
      this.logToStderr(`error: ${error.message}`);
      this.exit(error.exitCode);
    }
    if (error instanceof MedrlError) {
      if (this.jsonEnabled()) this.logJson({ error: { name: error.name, message: error.message } });
      this.logToStderr(`error: ${error.message}`);
      this.exit(1);
    }
    return super.catch(error);
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
