/**
 * The package boundaries of docs/architecture.md, as eslint.config.js enforces them: a table of
 * (file, import, expected error) linted in place, as ESLint's RuleTester does for rules.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/tmp.js';

const eslint = new ESLint({ cwd: repoRoot });

async function boundaryErrors(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${repoRoot}/${filePath}` });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const PLUGIN = /may import only @medrl\/sdk/;
const RUNTIME = /@medrl\/core \(the runtime\) may import only @medrl\/sdk/;
const NAMES_NO_PLUGIN = /names no built-in plugin/;
const SERVE = /@medrl\/serve may import only/;
const ENGINE = /@medrl\/engine never imports the runtime/;
const NO_CLI = /Nothing imports the medrl CLI/;
const PRESET = /The preset may import only @medrl\/sdk/;

// [file, import, the error expected (null: none)]
const cases: [string, string, RegExp | null][] = [
  // plugins and examples: only @medrl/sdk
  ['plugins/rules/src/x.ts', "import { openRun } from '@medrl/core';", PLUGIN],
  ['plugins/rules/src/x.ts', "export { openRun } from '@medrl/core';", PLUGIN],
  ['plugins/judge-mock/src/x.ts', "import { x } from '@medrl/core/dist/runtime/run.js';", PLUGIN],
  ['plugins/judge-mock/src/x.ts', "import { generate } from '@medrl/engine';", PLUGIN],
  ['plugins/judge-mock/src/x.ts', "import { readSafetensors } from '@medrl/engine/codec';", PLUGIN],
  ['plugins/tensorboard/src/x.ts', "import { runTrain } from '@medrl/train';", PLUGIN],
  ['examples/custom-reward/src/x.ts', "import { openRun } from '../../../core/runtime/src/runtime/run.js';", PLUGIN],
  ['examples/custom-reward/test/x.test.ts', "import { openRun } from '@medrl/core';", PLUGIN],
  ['plugins/rules/src/x.ts', "import { definePlugin } from '@medrl/sdk';", null],
  ['plugins/rules/src/x.ts', "import { writeFileAtomic } from '@medrl/sdk/io';", null],
  // checkpoint-hf: also the tfjs-free codec, never the engine's model code
  ['plugins/checkpoint-hf/src/x.ts', "import { writeSafetensorsFile } from '@medrl/engine/codec';", null],
  ['plugins/checkpoint-hf/src/x.ts', "import { generate } from '@medrl/engine';", PLUGIN],
  ['plugins/checkpoint-hf/src/x.ts', "import { EngineError } from '@medrl/engine/errors';", PLUGIN],
  ['plugins/checkpoint-hf/src/x.ts', "import { openRun } from '@medrl/core';", PLUGIN],
  // the preset: only @medrl/sdk (it names plugins, it never imports them)
  ['plugins/preset-medical/src/x.ts', "import rules from '@medrl/plugin-rules';", PRESET],
  ['plugins/preset-medical/src/x.ts', "import { openRun } from '@medrl/core';", PRESET],
  ['plugins/preset-medical/src/x.ts', "import type { MedrlConfig } from '@medrl/sdk';", null],
  // the runtime: no tfjs, engine, train, serve, CLI, built-in plugin
  ['core/runtime/src/x.ts', "import * as tf from '@tensorflow/tfjs';", RUNTIME],
  ['core/runtime/src/x.ts', "import { generate } from '@medrl/engine';", RUNTIME],
  ['core/runtime/src/x.ts', "import { readSafetensors } from '@medrl/engine/codec';", RUNTIME],
  ['core/runtime/src/reward/x.ts', "import { x } from '../../../engine/src/generate.js';", RUNTIME],
  ['core/runtime/src/x.ts', "import { runTrain } from '@medrl/train';", RUNTIME],
  ['core/runtime/src/x.ts', "import { createServer } from '@medrl/serve';", RUNTIME],
  ['core/runtime/src/x.ts', "import rules from '@medrl/plugin-rules';", NAMES_NO_PLUGIN],
  ['core/runtime/src/x.ts', "import preset from '@medrl/preset-medical';", NAMES_NO_PLUGIN],
  ['core/runtime/src/x.ts', "import { x } from 'medrl';", NO_CLI],
  ['core/runtime/src/x.ts', "import { writeFileAtomic } from '@medrl/sdk/io';", null],
  ['core/runtime/src/x.ts', "import { z } from 'zod';", null],
  // serve: no tfjs, engine or train
  ['core/serve/src/x.ts', "import * as tf from '@tensorflow/tfjs-node';", SERVE],
  ['core/serve/src/x.ts', "import { generate } from '@medrl/engine';", SERVE],
  ['core/serve/src/x.ts', "import { runTrain } from '@medrl/train';", SERVE],
  ['core/serve/src/x.ts', "import { x } from '../../cli/src/commands/serve.js';", NO_CLI],
  ['core/serve/src/x.ts', "import { openRun } from '@medrl/core';", null],
  ['core/serve/src/x.ts', "import Fastify from 'fastify';", null],
  // engine: never the runtime
  ['core/engine/src/x.ts', "import { MedrlError } from '@medrl/core';", ENGINE],
  ['core/engine/src/x.ts', "import { MedrlError } from '@medrl/core/errors';", ENGINE],
  ['core/engine/src/qwen3/x.ts', "import { x } from '../../../runtime/src/errors.js';", ENGINE],
  ['core/engine/src/x.ts', "import * as tf from '@tensorflow/tfjs';", null],
  ['core/engine/src/x.ts', "import type { TensorData } from '@medrl/sdk';", null],
  // train: runtime and engine yes, serve and the CLI no
  ['core/train/src/x.ts', "import { openRun } from '@medrl/core';", null],
  ['core/train/src/x.ts', "import { generate } from '@medrl/engine';", null],
  ['core/train/src/x.ts', "import { createServer } from '@medrl/serve';", /@medrl\/train never imports serve/],
  ['core/train/src/x.ts', "import { runPrepare } from '../../cli/src/data/index.js';", NO_CLI],
  ['core/train/src/x.ts', "import { x } from 'medrl';", NO_CLI],
  // the CLI imports everything; tests, bench and tools are not packages
  ['core/cli/src/x.ts', "import { openRun } from '@medrl/core';", null],
  ['core/cli/src/x.ts', "import { runTrain } from '@medrl/train';", null],
  ['test/runtime/x.test.ts', "import { openRun } from '@medrl/core';", null],
  ['test/cli/x.test.ts', "import { x } from '../../core/cli/src/commands/train.js';", null],
];

describe('lint: the package boundaries', () => {
  it.each(cases)('%s: %s -> %s', async (file, code, expected) => {
    const errors = await boundaryErrors(`${code}\nexport const used = 1;\n`, file);
    if (expected) expect(errors).toEqual([expect.stringMatching(expected)]);
    else expect(errors).toEqual([]);
  });
});
