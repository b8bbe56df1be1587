/**
 * A printable view of the resolved config: secrets replaced by `***` (keys named like key, token,
 * secret or password, and any registered secret value), plugin objects and classes by their names.
 */
import { redactText } from '../logging.js';

const SECRET_KEY = /(api[-_]?key|apikey|token|secret|password|authorization)/i;

function describePlugin(entry: unknown): unknown {
  if (typeof entry === 'function') return `class ${entry.name || '(anonymous)'}`;
  if (typeof entry === 'object' && entry !== null && !Array.isArray(entry) && 'name' in entry) {
    return `plugin ${(entry as { name: string }).name}`;
  }
  if (Array.isArray(entry)) return entry.map((e, i) => (i === 1 ? redactValue(e) : describePlugin(e)));
  return entry;
}

function redactValue(value: unknown, key = ''): unknown {
  if (SECRET_KEY.test(key) && value !== undefined && value !== null && value !== '') return '***';
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  if (Array.isArray(value)) return value.map((v) => redactValue(v));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, k)]));
  }
  return value;
}

export function redactConfig(config: Record<string, unknown>): Record<string, unknown> {
  const { plugins, ...rest } = config;
  return {
    plugins: Array.isArray(plugins) ? plugins.map(describePlugin) : plugins,
    ...(redactValue(rest) as Record<string, unknown>),
  };
}
