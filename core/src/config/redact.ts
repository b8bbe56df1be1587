/**
 * A printable view of the resolved config: secrets replaced by `***`, plugin objects and classes by
 * their names. A value is a secret when its key *names* one (the key's last word is token, secret,
 * password, authorization, credential(s); or it is an API/secret/private/access key), or when the
 * value itself looks like one (a registered secret, `sk-…`, a bearer token: see redactText). Never by
 * substring: `max_new_tokens`, `tokenEnv` (the name of a variable) and `metricsRequireToken` (a
 * boolean) are settings, not secrets, and only strings are ever redacted.
 */
import { redactText } from '../logging.js';

const SECRET_LAST_WORDS = new Set([
  'token',
  'secret',
  'password',
  'passwd',
  'authorization',
  'credential',
  'credentials',
]);
const KEY_QUALIFIERS = new Set(['api', 'secret', 'private', 'access', 'auth']);

/** `maxNewTokens` → [max, new, tokens]; `DEEPSEEK_API_KEY` → [deepseek, api, key]; `x-api-key` → [x, api, key]. */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** Whether a config key names a secret (see the module comment). */
export function isSecretKey(key: string): boolean {
  const w = words(key);
  const last = w.at(-1);
  if (last === undefined) return false;
  if (SECRET_LAST_WORDS.has(last) || last === 'apikey') return true;
  return last === 'key' && (w.length === 1 || KEY_QUALIFIERS.has(w.at(-2)!));
}

function describePlugin(entry: unknown): unknown {
  if (typeof entry === 'function') return `class ${entry.name || '(anonymous)'}`;
  if (typeof entry === 'object' && entry !== null && !Array.isArray(entry) && 'name' in entry) {
    return `plugin ${(entry as { name: string }).name}`;
  }
  if (Array.isArray(entry)) return entry.map((e, i) => (i === 1 ? redactValue(e) : describePlugin(e)));
  return entry;
}

function redactValue(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && value !== '' && isSecretKey(key)) return '***';
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
