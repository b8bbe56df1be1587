import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageNameFor } from '../../core/src/init/scaffold.js';
import { runMedrl } from '../helpers/cli.js';
import { repoRoot, tempDir } from '../helpers/tmp.js';

const run = promisify(execFile);

describe('plugin names follow the discovery convention', () => {
  it.each([
    ['triage', 'medrl-plugin-triage'],
    ['medrl-plugin-triage', 'medrl-plugin-triage'],
    ['@acme/medrl-plugin-triage', '@acme/medrl-plugin-triage'],
  ])('%s -> %s', (name, expected) => expect(packageNameFor(name)).toBe(expected));

  it.each(['Triage', '@acme/triage', 'bad name', ''])('rejects %j', (name) => {
    expect(() => packageNameFor(name)).toThrow(/invalid plugin name/);
  });
});

describe('medrl init plugin', () => {
  it.each(['reward', 'judge'])(
    'scaffolds a %s plugin that builds and passes its own tests',
    async (kind) => {
      const parent = tempDir('medrl-init-');
      const result = runMedrl(['init', 'plugin', `demo-${kind}`, '--kind', kind, '--dir', parent, '--json']);
      expect(result.status, result.stderr).toBe(0);
      const { dir, packageName } = JSON.parse(result.stdout);
      expect(packageName).toBe(`medrl-plugin-demo-${kind}`);
      expect(dir).toBe(path.join(parent, packageName));
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      expect(pkg.keywords).toContain('medrl-plugin');
      expect(pkg.peerDependencies['@medrl/sdk']).toBe('^0.1.0');

      // Stand in for `npm install`: this checkout has every devDependency the scaffold lists.
      symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
      // Asynchronous on purpose: a worker blocked for over a minute misses vitest's own messages.
      await run('npm', ['run', 'build', '--silent'], { cwd: dir });
      const { stdout: tests } = await run('npm', ['test', '--silent'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      });
      expect(tests).toMatch(/Tests\s+\d+ passed/);
      expect(tests).not.toMatch(/failed/);

      const again = runMedrl(['init', 'plugin', `demo-${kind}`, '--kind', kind, '--dir', parent]);
      expect(again.status).toBe(1);
      expect(again.stderr).toMatch(/exists and is not empty/);
    },
    120_000,
  );
});

describe('medrl init (project config)', () => {
  it.each(['json', 'yaml', 'ts'])(
    'writes a %s config that resolves to the seed reward',
    (format) => {
      const dir = tempDir('medrl-init-project-');
      // A TypeScript config imports the packages, as in a project that installed medrl.
      if (format === 'ts') symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
      const init = runMedrl(['init', '--format', format, '--dir', dir, '--json']);
      expect(init.status, init.stderr).toBe(0);
      expect(JSON.parse(init.stdout).file).toBe(path.join(dir, `medrl.config.${format}`));
      const config = runMedrl(['config', '--json'], { cwd: dir });
      expect(config.status, config.stderr).toBe(0);
      const view = JSON.parse(config.stdout);
      expect(view.configFile).toBe(path.join(dir, `medrl.config.${format}`));
      expect(view.reward.components.map((c: { use: string; weight: number }) => [c.use, c.weight])).toEqual([
        ['rules/format', 0.1],
        ['rules/length', 0.1],
        ['rules/keyword', 0.1],
        ['rules/safety', 0.3],
        ['judge', 0.4],
      ]);
      const plugins = runMedrl(['plugins', '--json'], { cwd: dir });
      expect(JSON.parse(plugins.stdout).plugins).toHaveLength(4);
      const again = runMedrl(['init', '--dir', dir]);
      expect(again.status).toBe(1);
      expect(again.stderr).toMatch(/already exists/);
    },
    60_000,
  );
});
