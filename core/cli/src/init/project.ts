/**
 * `medrl init`: writes a starter config into a project — the seed pipeline's reward (0.6 rules +
 * 0.4 teacher) with the built-in plugins — as TypeScript, JSON or YAML.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MedrlError } from '@medrl/core';
import { MEDICAL_PLUGINS, MEDICAL_REWARD_COMPONENTS } from '@medrl/preset-medical';
import { writeFileAtomic } from '@medrl/sdk/io';

export type ConfigFormat = 'ts' | 'json' | 'yaml';

const starter = {
  plugins: MEDICAL_PLUGINS,
  reward: { components: MEDICAL_REWARD_COMPONENTS, clip: [-1, 1], onMissing: 'renormalize' },
  judge: { use: 'auto' },
};

function render(format: ConfigFormat): string {
  if (format === 'json') return JSON.stringify(starter, null, 2) + '\n';
  if (format === 'yaml') {
    const components = starter.reward.components.map((c) => `    - { use: ${c.use}, weight: ${c.weight} }`).join('\n');
    return [
      '# medrl configuration; every option: docs/configuration.md',
      'plugins:',
      ...starter.plugins.map((p) => `  - '${p}'`),
      'reward:',
      '  # R = 0.6 * R_rules + 0.4 * R_teacher',
      '  components:',
      components,
      '  clip: [-1, 1]',
      '  onMissing: renormalize',
      'judge:',
      '  use: auto # deepseek when DEEPSEEK_API_KEY is set, else the offline mock judge',
      '',
    ].join('\n');
  }
  const components = starter.reward.components.map((c) => `      { use: '${c.use}', weight: ${c.weight} },`).join('\n');
  return `/** medrl configuration; every option: docs/configuration.md */
import { defineConfig } from '@medrl/sdk';
import rules from '@medrl/plugin-rules';
import judgeMock from '@medrl/plugin-judge-mock';
import judgeDeepseek from '@medrl/plugin-judge-deepseek';
import checkpointHf from '@medrl/plugin-checkpoint-hf';

export default defineConfig({
  plugins: [rules(), judgeMock(), judgeDeepseek(), checkpointHf()],
  reward: {
    // R = 0.6 * R_rules + 0.4 * R_teacher
    components: [
${components}
    ],
    clip: [-1, 1],
    onMissing: 'renormalize',
  },
  // deepseek when DEEPSEEK_API_KEY is set, else the offline mock judge
  judge: { use: 'auto' },
});
`;
}

/** Writes medrl.config.<format> into `dir`; refuses to overwrite any existing medrl config file. */
export async function initProject(dir: string, format: ConfigFormat): Promise<string> {
  const existing = ['ts', 'mts', 'js', 'mjs', 'cjs', 'json', 'yaml', 'yml']
    .map((ext) => path.join(dir, `medrl.config.${ext}`))
    .find((file) => existsSync(file));
  if (existing) throw new MedrlError(`${existing} already exists; edit it, or remove it first`);
  const file = path.join(dir, `medrl.config.${format}`);
  await writeFileAtomic(file, render(format));
  return file;
}

/** The packages a config file imports (bare specifiers, as `@scope/name` or `name`). */
export function importedPackages(source: string): string[] {
  const names = [...source.matchAll(/^import\s[^'"]*from\s+['"]([^'"./][^'"]*)['"]/gm)].map((m) => {
    const parts = m[1]!.split('/');
    return parts[0]!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  });
  return [...new Set(names)];
}

/**
 * What to run, from `cwd`, after `medrl init` wrote a config (`source`) into `dir`: first the install of
 * the packages the config imports that `dir` cannot resolve (none for JSON and YAML, which name
 * plugins that medrl finds itself), then the check.
 */
export async function nextCommands(
  dir: string,
  source: string,
  cwd = process.cwd(),
): Promise<{ install?: string; check: string }> {
  const { installCommand, medrlCommand, quote, resolvesFrom } = await import('./sources.js');
  const cd = path.resolve(cwd) === path.resolve(dir) ? '' : `cd ${quote(dir)} && `;
  const check = `${cd}${medrlCommand(dir)} config --check`;
  const missing = importedPackages(source).filter((name) => !resolvesFrom(dir, name));
  if (missing.length === 0) return { check };
  const { command } = await installCommand(dir, missing);
  return { install: `${cd}${command}`, check };
}
