/**
 * Logging and metrics for runs. Logs go to stderr so that stdout stays clean for `--json` and
 * JSONL outputs. Secrets are scrubbed from every line as a last line of defence.
 */
import type { Logger, Metrics } from '@medrl/sdk';
import { escapeControl } from './text.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Values (API keys, tokens) that must never appear in output; registered at config load. */
const secrets = new Set<string>();

/** Registers a secret value so that loggers replace it with `***`. Short values are ignored. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 8) secrets.add(value);
}

/** Values that look like credentials whoever holds them: API keys, bearer tokens, JWTs. */
const SECRET_SHAPES: [RegExp, string][] = [
  [/\bsk-[A-Za-z0-9_-]{16,}/g, 'sk-***'],
  [/\b(Bearer\s+)[A-Za-z0-9._~+/=-]{16,}/gi, '$1***'],
  [/\b(gh[pousr]_|github_pat_)[A-Za-z0-9_]{20,}/g, '$1***'],
  [/\bAKIA[0-9A-Z]{16}\b/g, 'AKIA***'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, 'eyJ***'],
];

/** Replaces registered secrets and anything shaped like an API key or bearer token. */
export function redactText(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('***');
  for (const [shape, replacement] of SECRET_SHAPES) out = out.replace(shape, replacement);
  return out;
}

function currentLevel(): number {
  const env = (process.env.MEDRL_LOG_LEVEL ?? 'info') as LogLevel;
  return LEVELS[env] ?? LEVELS.info;
}

/** A logger writing `[scope] message {fields}` lines to stderr. */
export function createLogger(scope: string, sink: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (LEVELS[level] < currentLevel()) return;
    const suffix = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    const tag = level === 'info' ? '' : `${level}: `;
    // Messages and fields may carry input text: control characters are escaped, not sent to the terminal.
    sink(escapeControl(redactText(`[${scope}] ${tag}${message}${suffix}`)) + '\n');
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

/** Counters and gauges in memory; `/metrics` and step stats read the snapshot. */
export class MetricsRegistry implements Metrics {
  private readonly values = new Map<string, number>();

  increment(name: string, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
  }

  gauge(name: string, value: number): void {
    this.values.set(name, value);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.values);
  }

  /** A view whose names are prefixed, handed to one plugin. */
  scoped(prefix: string): Metrics {
    return {
      increment: (name, by) => this.increment(`${prefix}/${name}`, by),
      gauge: (name, value) => this.gauge(`${prefix}/${name}`, value),
      snapshot: () => this.snapshot(),
    };
  }
}
