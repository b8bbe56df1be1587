/**
 * Finding, loading and validating the config with cosmiconfig: medrl.config.{ts,mts,js,mjs,cjs,json,yaml,yml},
 * .medrlrc*, and the `medrl` key of package.json. TypeScript configs go through jiti so that they
 * may import other local TypeScript files (e.g. a project's own plugin).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cosmiconfig, type Loader } from 'cosmiconfig';
import { createJiti } from 'jiti';

import type { MedrlConfig } from '@medrl/sdk';
import { ConfigError, messageOf } from '../errors.js';
import { configSchema, type ResolvedConfig } from './schema.js';

export interface LoadedConfig {
  config: ResolvedConfig;
  /** The file it came from; undefined when no file was found and defaults apply. */
  filepath?: string;
  /** Directory relative paths resolve from: the config file's, else the working directory. */
  rootDir: string;
}

const MODULE = 'medrl';

/** Imports a TypeScript (or any) module through jiti, honouring decorators and local .ts imports. */
export async function importModule(file: string): Promise<unknown> {
  const jiti = createJiti(pathToFileURL(file).href, { moduleCache: false, fsCache: false });
  return jiti.import(file, { default: true });
}

const loadWithJiti: Loader = async (filepath) => importModule(filepath);

function explorer() {
  return cosmiconfig(MODULE, {
    searchStrategy: 'project',
    searchPlaces: [
      'package.json',
      `.${MODULE}rc`,
      `.${MODULE}rc.json`,
      `.${MODULE}rc.yaml`,
      `.${MODULE}rc.yml`,
      `.${MODULE}rc.js`,
      `.${MODULE}rc.ts`,
      `.${MODULE}rc.mjs`,
      `.${MODULE}rc.cjs`,
      `${MODULE}.config.ts`,
      `${MODULE}.config.mts`,
      `${MODULE}.config.js`,
      `${MODULE}.config.mjs`,
      `${MODULE}.config.cjs`,
      `${MODULE}.config.json`,
      `${MODULE}.config.yaml`,
      `${MODULE}.config.yml`,
    ],
    loaders: { '.ts': loadWithJiti, '.mts': loadWithJiti },
  });
}

/** `reward.components[1].weight` from a zod issue path. */
export function formatPath(pathItems: readonly PropertyKey[]): string {
  let out = '';
  for (const item of pathItems) {
    out += typeof item === 'number' ? `[${item}]` : out ? `.${String(item)}` : String(item);
  }
  return out || '(root)';
}

/** Validates a raw config object; errors list every problem with its path. */
export function validateConfig(raw: unknown, source: string): ResolvedConfig {
  const result = configSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  throw new ConfigError(
    `invalid config in ${source}:\n` +
      result.error.issues.map((issue) => `  - ${formatPath(issue.path)}: ${issue.message}`).join('\n'),
  );
}

/** Deep-merges `overrides` (e.g. from CLI flags) into `base`; arrays and non-plain values replace. */
export function mergeConfig<T>(base: T, overrides: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(overrides)) return (overrides === undefined ? base : overrides) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    out[key] = mergeConfig(out[key], value);
  }
  return out as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

export interface LoadConfigOptions {
  /** An explicit config file (`--config`); otherwise searched from `cwd`. */
  configPath?: string;
  cwd?: string;
  /** An inline config (tests, programmatic use); skips the file search. */
  inline?: MedrlConfig;
  /** Applied over the file's config before validation (CLI flags). */
  overrides?: Record<string, unknown>;
  /**
   * Laid under the file's (or inline) config before validation, as mergeConfig does: what the config
   * states wins, objects merge, arrays replace. The medrl CLI passes @medrl/preset-medical here.
   */
  defaults?: MedrlConfig;
}

export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const layered = (raw: unknown) => mergeConfig(mergeConfig(options.defaults ?? {}, raw ?? {}), options.overrides);
  if (options.inline) {
    return { config: validateConfig(layered(options.inline), 'inline config'), rootDir: cwd };
  }
  let found: { config: unknown; filepath: string } | null;
  try {
    found = options.configPath
      ? await explorer().load(path.resolve(cwd, options.configPath))
      : await explorer().search(cwd);
  } catch (error) {
    const where = options.configPath ? path.resolve(cwd, options.configPath) : `a config file under ${cwd}`;
    throw new ConfigError(`cannot load ${where}: ${messageOf(error)}`, { cause: error });
  }
  if (!found) {
    return { config: validateConfig(layered({}), 'built-in defaults'), rootDir: cwd };
  }
  const raw = unwrapDefault(found.config);
  return {
    config: validateConfig(layered(raw), found.filepath),
    filepath: found.filepath,
    rootDir: path.dirname(found.filepath),
  };
}

function unwrapDefault(value: unknown): unknown {
  if (isPlainObject(value) && 'default' in value && Object.keys(value).length === 1) return value.default;
  return value;
}

export type { ResolvedConfig };
