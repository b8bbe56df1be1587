import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/tmp.js';

const eslint = new ESLint({ cwd: repoRoot });

async function boundaryErrors(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${repoRoot}/${filePath}` });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

// Table of files and imports: plugins and examples may import only @medrl/sdk.
const cases: [string, string, boolean][] = [
  ['plugins/rules/src/x.ts', "import { openRun } from '@medrl/core';", true],
  ['plugins/rules/src/x.ts', "export { openRun } from '@medrl/core';", true],
  ['plugins/judge-mock/src/x.ts', "import { x } from '@medrl/core/dist/runtime/run.js';", true],
  ['examples/custom-reward/src/x.ts', "import { openRun } from '../../../core/runtime/src/runtime/run.js';", true],
  ['examples/custom-reward/test/x.test.ts', "import { openRun } from '@medrl/core';", true],
  ['plugins/rules/src/x.ts', "import { definePlugin } from '@medrl/sdk';", false],
  ['core/cli/src/x.ts', "import { openRun } from '@medrl/core';", false],
  ['test/core/x.test.ts', "import { openRun } from '@medrl/core';", false],
];

describe('lint: plugins and examples never import @medrl/core', () => {
  it.each(cases)('%s: %s -> error %s', async (file, code, expectError) => {
    const errors = await boundaryErrors(`${code}\nexport const used = 1;\n`, file);
    if (expectError) expect(errors).toEqual([expect.stringMatching(/may import only @medrl\/sdk/)]);
    else expect(errors).toEqual([]);
  });
});
