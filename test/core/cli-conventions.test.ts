/**
 * The CLI's conventions (issue 18): help, "did you mean", version, clean JSON errors, one spelling
 * per flag across commands, help defaults that agree with the schema, shell completion, and the
 * checks that tell a newcomer what to run first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import type { Command } from '@oclif/core';
import { describe, expect, it } from 'vitest';
import { deprecationWarnings } from '../../core/src/cli/flags.js';
import { closestMatch } from '../../core/src/cli/suggest.js';
import { configSchema } from '../../core/src/config/schema.js';
import { medrlBin, runMedrl } from '../helpers/cli.js';
import { repoRoot, tempDir, writeTree } from '../helpers/tmp.js';

const commandsDir = path.join(repoRoot, 'core/src/commands');
const pjson = JSON.parse(readFileSync(path.join(repoRoot, 'core/package.json'), 'utf8')) as {
  version: string;
};

function commandFiles(dir = commandsDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? commandFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

type FlagDef = { char?: string; aliases?: string[]; description?: string; type: string; allowNo?: boolean };
type CommandClass = typeof Command & { flags: Record<string, FlagDef>; enableJsonFlag: boolean };

/** Every command class by id (`init plugin` for init/plugin.ts). */
async function commands(): Promise<Map<string, CommandClass>> {
  const out = new Map<string, CommandClass>();
  for (const file of commandFiles()) {
    const rel = path
      .relative(commandsDir, file)
      .replace(/\.ts$/, '')
      .replace(/\/index$/, '');
    const mod = (await import(pathToFileURL(file).href)) as { default: CommandClass };
    out.set(rel.split(path.sep).join(' '), mod.default);
  }
  return out;
}

/** A project with the rule plugin and one component: `use` as given. */
function project(use = 'rules/format'): string {
  return writeTree(tempDir(), {
    'medrl.config.json': JSON.stringify({
      plugins: ['@medrl/plugin-rules'],
      reward: { components: [{ use, weight: 1 }] },
    }),
  });
}

describe('help', () => {
  it('`medrl help train`, `medrl train -h` and `medrl train --help` print the same help', () => {
    const outputs = [
      ['help', 'train'],
      ['train', '-h'],
      ['train', '--help'],
    ].map((argv) => runMedrl(argv));
    for (const r of outputs) expect(r.status).toBe(0);
    expect(outputs[0]!.stdout).toMatch(/USAGE\n\s+\$ medrl train/);
    expect(outputs[0]!.stdout).toContain('--model-path=<dir>');
    expect(outputs[1]!.stdout).toBe(outputs[0]!.stdout);
    expect(outputs[2]!.stdout).toBe(outputs[0]!.stdout);
  });

  it('`medrl help` opens with the product, not the core package, and lists every command', () => {
    const result = runMedrl(['-h']);
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(
      'medrl: RL fine-tuning of medical language models (Qwen3) with plugin-composed rewards',
    );
    expect(result.stdout).not.toContain('@medrl/core');
    for (const id of ['autocomplete', 'config', 'eval', 'help', 'sft', 'train']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${id} +\\S`, 'm'));
    }
  });

  it('`medrl --version` and `-v` print medrl/<version>, the same line as the help', () => {
    const expected = `medrl/${pjson.version} ${process.platform}-${process.arch} node-${process.version}`;
    expect(runMedrl(['--version']).stdout).toBe(`${expected}\n`);
    expect(runMedrl(['-v']).stdout).toBe(`${expected}\n`);
    // The fast path answers without oclif; the help's VERSION section is oclif's own user agent.
    expect(runMedrl(['help']).stdout).toContain(`VERSION\n  ${expected}\n`);
  });
});

describe('did you mean', () => {
  it('`medrl trian` exits 127 suggesting `medrl train`; a name far from every command gets no guess', () => {
    const typo = runMedrl(['trian']);
    expect(typo.status).toBe(127);
    expect(typo.stderr).toContain('`trian` is not a medrl command. Did you mean `medrl train`?');
    expect(typo.stderr).toContain('Run `medrl help` for the list.');
    const far = runMedrl(['xyzzyq']);
    expect(far.status).toBe(127);
    expect(far.stderr).not.toContain('Did you mean');
  });

  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript && !process.env.CI)('in a terminal, @oclif/plugin-not-found asks "Did you mean train?"', () => {
    // `script` gives the CLI a pseudo-terminal; "n" declines the suggestion.
    const result = spawnSync('script', ['-qec', `"${process.execPath}" "${medrlBin}" trian`, '/dev/null'], {
      input: 'n\n',
      encoding: 'utf8',
      timeout: 60_000,
    });
    const text = stripVTControlCharacters(result.stdout);
    expect(text).toContain('Did you mean train?');
    expect(result.status).toBe(127);
  });

  it('an unknown flag names the closest one', () => {
    const result = runMedrl(['eval', '--ouput', 'x']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Nonexistent flag: --ouput');
    expect(result.stderr).toContain('Did you mean: --ouput -> --out?');
  });

  it.each([
    ['trian', ['train', 'sft', 'eval'], 'train'],
    ['tokenise', ['tokenize', 'train'], 'tokenize'],
    ['gen', ['generate', 'eval'], 'generate'],
    ['pre', ['prepare', 'prepare-rl'], undefined], // two commands begin so: no guess
    ['xyzzyq', ['train', 'sft', 'eval'], undefined],
    ['ouput', ['out', 'input', 'config'], 'out'],
  ])('closestMatch(%j) is %j', (typed, candidates, want) => {
    expect(closestMatch(typed, candidates)).toBe(want);
  });
});

describe('--json errors', () => {
  it.each([
    ['an unknown flag', ['eval', '--json', '--bogus'], /^Nonexistent flag: --bogus/],
    ['a missing required flag', ['reward', '--json'], /Missing required flag input/],
    ['a bad option value', ['train', '--json', '--algo', 'dpo'], /Expected --algo=dpo to be one of: ppo, grpo/],
  ])('%s exits 2 with one clean JSON error document', (_, argv, message) => {
    const result = runMedrl(argv);
    expect(result.status).toBe(2);
    const doc = JSON.parse(result.stdout) as { error: Record<string, unknown> };
    expect(Object.keys(doc)).toEqual(['error']);
    expect(Object.keys(doc.error).sort()).toEqual(['message', 'name']);
    expect(doc.error.message).toMatch(message);
    expect(result.stdout).not.toContain('oclif');
  });
});

describe('one spelling per flag, on every command', () => {
  it('outputs are --out / -o (with --output-dir as an alias); nothing is named --output-dir', async () => {
    const all = await commands();
    const withOut = [...all].filter(([, c]) => c.flags?.out).map(([id]) => id);
    expect(withOut.sort()).toEqual(['eval', 'judge', 'prepare', 'prepare-rl', 'report', 'reward', 'sft', 'train']);
    for (const [id, c] of all) {
      expect(Object.keys(c.flags ?? {}), id).not.toContain('output-dir');
      if (c.flags?.out) {
        expect(c.flags.out.char, id).toBe('o');
        expect(c.flags.out.aliases, id).toEqual(['output-dir']);
      }
    }
  });

  it('every model command takes --model-path; thinking is --think (alias --thinking)', async () => {
    const all = await commands();
    for (const id of ['eval', 'generate', 'sft', 'tokenize', 'train']) {
      expect(all.get(id)!.flags['model-path'], id).toBeDefined();
    }
    for (const id of ['generate', 'tokenize']) {
      const think = all.get(id)!.flags.think!;
      expect(think, id).toMatchObject({ type: 'boolean', allowNo: true, aliases: ['thinking'] });
    }
    expect([...all.values()].filter((c) => c.flags?.thinking)).toEqual([]);
  });

  it('every command that prints a result has --json (serve, a long-running server, is the one without)', async () => {
    const all = await commands();
    const without = [...all].filter(([, c]) => !c.enableJsonFlag).map(([id]) => id);
    expect(without).toEqual(['serve']);
  });

  it('a "[default: <config path>, <value>]" in flag help is the schema default', async () => {
    const defaults = configSchema.parse({}) as Record<string, unknown>;
    const lookup = (dotted: string): unknown =>
      dotted.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], defaults);
    const checked: string[] = [];
    for (const [id, c] of await commands()) {
      for (const [name, flag] of Object.entries(c.flags ?? {})) {
        const match = /\[default: ((?:<algo>|[a-z]\w*)(?:\.\w+)+), ([^\s\]:;]+)/.exec(flag.description ?? '');
        if (!match) continue;
        const [, dotted, shown] = match;
        const paths = dotted!.startsWith('<algo>.')
          ? [dotted!.replace('<algo>', 'ppo'), dotted!.replace('<algo>', 'grpo')]
          : [dotted!];
        for (const p of paths) {
          const value = lookup(p);
          expect(value, `${id} --${name}: ${p} is not in the schema`).not.toBeUndefined();
          const text = Array.isArray(value) ? value.join(',') : String(value);
          expect(shown, `${id} --${name}`).toBe(text);
        }
        checked.push(`${id} --${name}`);
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(25);
    expect(checked).toContain('sft --learning-rate'); // its default is null: 2e-5 or 1e-3 by model
  });

  it('command files import only oclif, node and the cli folder when loaded (the rest inside run())', () => {
    // oclif loads every command file to list commands; a heavy import here slows every `medrl` call.
    const allowed = /^(@oclif\/core|node:.*|\.\.?\/(\.\.\/)?cli\/.*|\.\.?\/(\.\.\/)?errors\.js)$/;
    for (const file of commandFiles()) {
      const source = readFileSync(file, 'utf8');
      for (const [, specifier] of source.matchAll(/^import (?!type )[^;]*?from '([^']+)';/gms)) {
        expect(specifier, path.relative(repoRoot, file)).toMatch(allowed);
      }
    }
  });
});

describe('medrl sft --model-path', () => {
  it('is the checkpoint it fine-tunes (model.path), relative to the working directory', () => {
    const dir = writeTree(project(), {
      'train.jsonl':
        JSON.stringify({ id: 'a', instruction: '头痛', input: '', output: '<think>x</think>建议就医' }) + '\n',
    });
    const result = runMedrl(
      ['sft', '--model-path', 'no-such-model', '--train-file', 'train.jsonl', '--eval-file', 'train.jsonl', '--json'],
      { cwd: dir },
    );
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout).error.message).toContain(path.join(dir, 'no-such-model', 'config.json'));
  });
});

describe('deprecated spellings still work and warn', () => {
  it.each([
    [['--output-dir', 'x'], ['out'], ['--output-dir is deprecated; use --out']],
    [['--output-dir=x'], ['out'], ['--output-dir is deprecated; use --out']],
    [
      ['--no-thinking', '--thinking'],
      ['think'],
      ['--no-thinking is deprecated; use --no-think', '--thinking is deprecated; use --think'],
    ],
    [['--out', 'x', '--think'], ['out', 'think'], []],
    [['--output-dir', 'x'], ['config'], []], // not this command's flag: the parser reports it
    [['--', '--output-dir'], ['out'], []],
  ])('%j', (argv, flags, want) => {
    expect(deprecationWarnings(argv, new Set(flags))).toEqual(want);
  });

  it('`medrl prepare --output-dir <dir>` writes there and warns once', () => {
    const dir = writeTree(tempDir(), {
      'raw/a.jsonl': readFileSync(path.join(repoRoot, 'data/raw/medical_r1.jsonl'), 'utf8')
        .split('\n')
        .slice(0, 40)
        .join('\n'),
    });
    const result = runMedrl(['prepare', '--input', 'raw', '--output-dir', 'processed', '--json'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stderr.match(/warning: --output-dir is deprecated; use --out/g)).toHaveLength(1);
    expect(existsSync(path.join(dir, 'processed/train.jsonl'))).toBe(true);
  });
});

describe('medrl reward --json', () => {
  it('prints a summary as the one JSON document and needs --out', () => {
    const dir = project();
    const answers = path.join(repoRoot, 'data/examples/answers.jsonl');
    const ok = runMedrl(['reward', '--input', answers, '--out', 'scored.jsonl', '--json'], { cwd: dir });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ input: answers, out: 'scored.jsonl', scored: 6, failed: 0, errors: [] });
    expect(readFileSync(path.join(dir, 'scored.jsonl'), 'utf8').trim().split('\n')).toHaveLength(6);

    const noOut = runMedrl(['reward', '--input', answers, '--json'], { cwd: dir });
    expect(noOut.status).toBe(1);
    expect(JSON.parse(noOut.stdout).error.message).toMatch(/give --out <jsonl>/);
  });
});

describe('medrl config --check', () => {
  it('resolves the reward components', () => {
    const result = runMedrl(['config', '--check', '--json'], { cwd: project() });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).check).toEqual({ ok: true, components: ['rules/format'] });
  });

  it('fails on a misspelt component, naming it and the registered ones; plain `config` does not resolve', () => {
    const dir = project('rules/formt');
    const result = runMedrl(['config', '--check'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /reward\.components\[0\]\.use: no reward component "rules\/formt"; registered: .*rules\/format \(/,
    );
    expect(runMedrl(['config'], { cwd: dir }).status).toBe(0);
  });
});

describe('medrl eval before there is a model', () => {
  it('says to run `medrl train` (default model) or `medrl sft` (the SFT output) first', () => {
    const dir = project();
    const result = runMedrl(['eval'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'error: no model at models/rl/checkpoints/final_rl_model: run `medrl train` first (it writes its final model there), or pass --model-path <dir> or --answers <jsonl>',
    );
    const sft = runMedrl(['eval', '--model-path', 'models/lora/final_lora', '--json'], { cwd: dir });
    expect(sft.status).toBe(1);
    expect(JSON.parse(sft.stdout).error.message).toMatch(
      /^no model at models\/lora\/final_lora: run `medrl sft` first/,
    );
  });
});

describe('shell completion (@oclif/plugin-autocomplete)', () => {
  it('builds a bash completion that completes commands and their flags', () => {
    const cache = tempDir();
    const env = { MEDRL_CACHE_DIR: cache };
    const setup = runMedrl(['autocomplete', 'script', 'bash'], { env });
    expect(setup.status).toBe(0);
    expect(setup.stdout).toContain(path.join(cache, 'autocomplete/bash_setup'));
    expect(runMedrl(['autocomplete', '--refresh-cache'], { env }).status).toBe(0);
    const script = path.join(cache, 'autocomplete/functions/bash/medrl.bash');
    const complete = (...words: string[]) =>
      spawnSync(
        'bash',
        [
          '-c',
          `source "${script}"; COMP_WORDS=(${words.join(' ')}); COMP_CWORD=${words.length - 1}; _medrl_autocomplete; echo "\${COMPREPLY[@]}"`,
        ],
        { encoding: 'utf8' },
      ).stdout.trim();
    expect(complete('medrl', 'tr')).toBe('train');
    expect(complete('medrl', 'sft', '--mo')).toBe('--model-path');
    expect(complete('medrl', 'tokenize', '--th')).toBe('--think');
  });
});

describe('docs/getting-started.md section 3', () => {
  it('scores the answers file it names, which ships with the repository', () => {
    const docs = readFileSync(path.join(repoRoot, 'docs/getting-started.md'), 'utf8');
    const section = docs.slice(docs.indexOf('## 3.'), docs.indexOf('## 4.'));
    const files = [...section.matchAll(/--input (\S+)/g)].map((m) => m[1]!);
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) expect(existsSync(path.join(repoRoot, file)), file).toBe(true);
    const result = runMedrl(['reward', '--input', files[0]!]);
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(6);
  });
});
