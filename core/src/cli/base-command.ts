/**
 * The base of every medrl command: the shared `--config` flag, `--json` output (oclif's own), a
 * Run opened on demand and always closed, and user errors printed without a stack trace.
 */
import { Command, Flags, type Interfaces } from '@oclif/core';
import { MedrlError } from '../errors.js';
import { escapeControl } from '../text.js';
import { openRun, type Run } from '../runtime/run.js';

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

  /** Opens the run (config, DI container, plugins) once; it is closed when the command ends. */
  protected async openRun(command: string, overrides?: Record<string, unknown>): Promise<Run> {
    if (!this.run_) {
      const { flags } = await this.parse(this.constructor as typeof MedrlCommand);
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      this.run_ = await openRun({
        command,
        configPath: (flags as { config?: string }).config,
        overrides,
        signal: controller.signal,
      });
    }
    return this.run_;
  }

  protected override async finally(error: Error | undefined): Promise<unknown> {
    await this.run_?.close();
    return super.finally(error);
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
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
