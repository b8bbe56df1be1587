/** The flags of training commands that name and place a run (`medrl sft`, `medrl train`). */
import { Flags } from '@oclif/core';

export const RUN_FLAGS = {
  resume: Flags.boolean({
    default: false,
    description: 'continue the latest run in the output directory from its last checkpoint',
  }),
  'run-name': Flags.string({
    description: 'name of this run; earlier runs move to <output-dir>/runs/<their name> [default: the start time]',
    helpValue: '<name>',
  }),
  'overwrite-output-dir': Flags.boolean({
    default: false,
    description: 'delete the earlier run in the output directory instead of moving it to runs/',
  }),
};

/** The `output` config overrides of the run flags. */
export function runOverrides(flags: {
  'run-name'?: string;
  'overwrite-output-dir'?: boolean;
}): Record<string, unknown> {
  return {
    ...(flags['run-name'] !== undefined ? { run_name: flags['run-name'] } : {}),
    ...(flags['overwrite-output-dir'] ? { overwrite_output_dir: true } : {}),
  };
}
