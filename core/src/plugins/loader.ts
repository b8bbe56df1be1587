/**
 * Plugin loading. Entries come from the config's `plugins` array: plugin objects, class plugins,
 * module specifiers (npm names or paths relative to the config file) with options, presets
 * (nested arrays) and falsy values (ignored). Every plugin is checked for its API version, set up
 * in order, and its hook listeners are attached to the bus under its name.
 * May import: @medrl/sdk, tsyringe, errors, hooks, config/load (importModule).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DependencyContainer } from 'tsyringe';
import {
  HOOK_NAMES,
  TOKENS,
  hookProperty,
  isClassPlugin,
  type MedrlPlugin,
  type MedrlPluginClass,
  type PluginApi,
  type PluginContext,
} from '@medrl/sdk';
import { importModule } from '../config/load.js';
import { MedrlError, PluginError, messageOf } from '../errors.js';
import type { HookBus } from '../hooks/bus.js';
import { createLogger } from '../logging.js';
import { apiVersionProblem } from './api-version.js';
import type { PluginRegistry } from './registry.js';

export interface LoadedPlugin {
  plugin: MedrlPlugin;
  /** `object`, `class <Name>`, or the module specifier and the file it resolved to. */
  source: string;
  version?: string;
}

export interface LoaderEnv {
  rootDir: string;
  command: string;
  container: DependencyContainer;
  registry: PluginRegistry;
  hooks: HookBus;
  /** Builds the context a plugin receives (its own logger and metrics). */
  contextFor(pluginName: string): PluginContext;
}

type Options = Record<string, unknown>;

interface Candidate {
  value: unknown;
  source: string;
  options: Options;
  version?: string;
}

const coreDir = path.dirname(fileURLToPath(import.meta.url));

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isClassLike(value: unknown): value is MedrlPluginClass {
  return (
    isClassPlugin(value) || (typeof value === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(value)))
  );
}

/** Module names tried for a bare specifier: as given, then the naming conventions. */
export function conventionalNames(spec: string): string[] {
  if (spec.startsWith('@')) {
    const [scope, name] = spec.split('/');
    if (name && !name.startsWith('medrl-plugin-') && scope !== '@medrl') return [spec, `${scope}/medrl-plugin-${name}`];
    return [spec];
  }
  if (spec.startsWith('medrl-plugin-')) return [spec];
  return [spec, `medrl-plugin-${spec}`, `@medrl/plugin-${spec}`];
}

const PATH_EXTENSIONS = ['', '.ts', '.mts', '.js', '.mjs', '.cjs', '/index.ts', '/index.js'];

/** Resolves a specifier to a file, or throws listing every place tried. */
export function resolvePluginModule(spec: string, rootDir: string): { file: string; packageDir?: string } {
  const tried: string[] = [];
  if (spec.startsWith('.') || path.isAbsolute(spec)) {
    const base = path.resolve(rootDir, spec);
    for (const ext of PATH_EXTENSIONS) {
      const file = base + ext;
      tried.push(file);
      if (existsSync(file) && statSync(file).isFile()) return { file };
    }
    if (existsSync(path.join(base, 'package.json'))) {
      try {
        return { file: createRequire(path.join(base, 'noop.js')).resolve(base), packageDir: base };
      } catch {
        tried.push(`${base} (package)`);
      }
    }
  } else {
    for (const name of conventionalNames(spec)) {
      for (const from of [rootDir, coreDir]) {
        tried.push(`"${name}" from ${from}`);
        try {
          const file = createRequire(path.join(from, 'noop.js')).resolve(name);
          return { file, packageDir: findPackageDir(file) };
        } catch {
          // try the next place
        }
      }
    }
  }
  throw new MedrlError(`cannot find plugin "${spec}"; tried:\n${tried.map((t) => `  - ${t}`).join('\n')}`);
}

function findPackageDir(file: string): string | undefined {
  let dir = path.dirname(file);
  while (dir !== path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return undefined;
}

function packageVersion(dir: string | undefined): string | undefined {
  if (!dir) return undefined;
  try {
    return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

async function importPluginModule(file: string): Promise<unknown> {
  if (/\.[mc]?ts$/.test(file)) return importModule(file);
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  return mod.default ?? mod;
}

/** Flattens entries into candidates, resolving modules; `where` names the config position. */
async function collect(entry: unknown, where: string, rootDir: string, out: Candidate[]): Promise<void> {
  if (!entry) return;
  if (typeof entry === 'string') {
    out.push(await fromModule(entry, {}, where, rootDir));
    return;
  }
  if (Array.isArray(entry)) {
    const [first, second, ...rest] = entry as unknown[];
    if (typeof first === 'string' && rest.length === 0 && (second === undefined || isPlainObject(second))) {
      out.push(await fromModule(first, (second as Options | undefined) ?? {}, where, rootDir));
      return;
    }
    for (const [i, item] of entry.entries()) await collect(item, `${where}[${i}]`, rootDir, out);
    return;
  }
  if (isClassLike(entry)) {
    out.push({ value: entry, source: `class ${entry.name}`, options: {} });
    return;
  }
  if (isPlainObject(entry)) {
    out.push({ value: entry, source: 'object', options: {} });
    return;
  }
  throw new MedrlError(
    `${where}: expected a plugin object, a plugin class, a module name or path, or [name, options]; got ${typeof entry}`,
  );
}

async function fromModule(spec: string, options: Options, where: string, rootDir: string): Promise<Candidate> {
  const { file, packageDir } = resolvePluginModule(spec, rootDir);
  let exported: unknown;
  try {
    exported = await importPluginModule(file);
  } catch (error) {
    throw new MedrlError(`${where}: cannot import plugin "${spec}" (${file}): ${messageOf(error)}`, { cause: error });
  }
  return { value: exported, source: `${spec} (${file})`, options, version: packageVersion(packageDir) };
}

/** Turns one candidate into plugin objects: constructs classes, calls factories. */
async function instantiate(candidate: Candidate, container: DependencyContainer): Promise<MedrlPlugin[]> {
  const { value, options, source } = candidate;
  if (isClassLike(value)) {
    const child = container.createChildContainer();
    child.register(TOKENS.PluginOptions, { useValue: options });
    child.register(TOKENS.Logger, { useValue: createLogger(value.name) });
    try {
      return [child.resolve(value as never) as MedrlPlugin];
    } catch (error) {
      throw new PluginError(value.name, 'constructor', messageOf(error), { cause: error });
    }
  }
  if (typeof value === 'function') {
    let produced: unknown;
    try {
      produced = await (value as (o: Options) => unknown)(options);
    } catch (error) {
      throw new PluginError(source, 'factory', messageOf(error), { cause: error });
    }
    return (Array.isArray(produced) ? produced : [produced]).filter(Boolean) as MedrlPlugin[];
  }
  if (Object.keys(options).length > 0) {
    throw new MedrlError(`plugin ${source} exports a plugin object, not a factory, so it takes no options`);
  }
  return [value as MedrlPlugin];
}

function check(plugin: unknown, source: string): asserts plugin is MedrlPlugin {
  if (!isPlainObject(plugin) && typeof plugin !== 'object') {
    throw new MedrlError(`plugin from ${source} is not an object`);
  }
  const p = plugin as Partial<MedrlPlugin>;
  if (typeof p.name !== 'string' || p.name.length === 0) {
    throw new MedrlError(`plugin from ${source} has no "name"`);
  }
  const problem = apiVersionProblem(p.apiVersion);
  if (problem) throw new PluginError(p.name, 'apiVersion', problem);
  for (const hook of HOOK_NAMES) {
    const listener = (p as Record<string, unknown>)[hookProperty(hook)];
    if (listener !== undefined && typeof listener !== 'function') {
      throw new PluginError(p.name, hookProperty(hook), 'must be a function');
    }
  }
}

/** Loads, checks and sets up every plugin of the config, in order. */
export async function loadPlugins(
  entries: readonly unknown[],
  env: LoaderEnv,
  /** `output.report_to`: logger plugins loaded after `plugins`, skipped when `plugins` already has them. */
  loggers: readonly string[] = [],
): Promise<LoadedPlugin[]> {
  const candidates: Candidate[] = [];
  for (const [i, entry] of entries.entries()) await collect(entry, `plugins[${i}]`, env.rootDir, candidates);
  const fromReportTo = new Set<Candidate>();
  for (const [i, spec] of loggers.entries()) {
    const before = candidates.length;
    await collect(spec, `output.report_to[${i}]`, env.rootDir, candidates);
    for (const candidate of candidates.slice(before)) fromReportTo.add(candidate);
  }

  const loaded: LoadedPlugin[] = [];
  for (const candidate of candidates) {
    for (const plugin of await instantiate(candidate, env.container)) {
      check(plugin, candidate.source);
      const twin = loaded.find((l) => l.plugin.name === plugin.name);
      if (twin && fromReportTo.has(candidate)) continue;
      if (twin)
        throw new MedrlError(`plugin "${plugin.name}" is listed twice (${twin.source} and ${candidate.source})`);
      loaded.push({ plugin, source: candidate.source, version: plugin.version ?? candidate.version });
    }
  }

  for (const { plugin } of loaded) {
    const api: PluginApi = {
      context: env.contextFor(plugin.name),
      registerReward: (component) => env.registry.rewards.add(component, plugin.name),
      registerJudge: (judge) => env.registry.judges.add(judge, plugin.name),
      registerCheckpointWriter: (writer) => env.registry.writers.add(writer, plugin.name),
    };
    try {
      await plugin.setup?.(api);
    } catch (error) {
      if (error instanceof PluginError) throw error;
      throw new PluginError(plugin.name, 'setup', messageOf(error), { cause: error });
    }
    for (const hook of HOOK_NAMES) {
      const listener = plugin[hookProperty(hook)] as ((payload: never) => unknown) | undefined;
      if (listener) env.hooks.on(hook, (payload) => listener.call(plugin, payload as never) as never, plugin.name);
    }
  }
  return loaded;
}
