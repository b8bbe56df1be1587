/**
 * `medrl report --watch`: re-renders a run's report.html whenever its files change while the run
 * writes (polling their size and time, which works on every file system), and once more when the
 * run ends. While the run's status is `running` the page reloads itself, so a browser tab on
 * report.html is a live view.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { writeRunReport, type RunReportOptions } from './run-report.js';

const WATCHED = ['metrics.jsonl', 'sft_metrics.jsonl', 'rollouts.jsonl', 'run.json'];

async function fingerprint(runDir: string): Promise<string> {
  const parts = await Promise.all(
    WATCHED.map((name) =>
      stat(path.join(runDir, name)).then(
        (s) => `${s.size}:${s.mtimeMs}`,
        () => '-',
      ),
    ),
  );
  return parts.join('|');
}

export interface WatchOptions extends RunReportOptions {
  /** Seconds between looks at the files. Default 2. */
  intervalSeconds?: number;
  /** Stops watching (Ctrl-C). */
  signal?: AbortSignal;
  /** Called after each render. */
  onRender?: (result: Awaited<ReturnType<typeof writeRunReport>>) => void;
  /** Stop once the run is no longer `running`. Default true. */
  untilDone?: boolean;
}

/** Renders now and on every change until the run is done or `signal` aborts; returns the renders made. */
export async function watchRunReport(runDir: string, options: WatchOptions = {}): Promise<number> {
  const interval = (options.intervalSeconds ?? 2) * 1000;
  const refreshSeconds = options.refreshSeconds ?? Math.max(2, Math.round(interval / 1000) * 2);
  let renders = 0;
  let seen = '';
  for (;;) {
    const now = await fingerprint(runDir);
    if (now !== seen) {
      seen = now;
      const result = await writeRunReport(runDir, { ...options, refreshSeconds });
      renders += 1;
      options.onRender?.(result);
      if ((options.untilDone ?? true) && result.status !== undefined && result.status !== 'running') return renders;
    }
    if (options.signal?.aborted) break;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, interval);
      options.signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
    if (options.signal?.aborted) break;
  }
  // A last render without the self-reload, so the file left behind is a plain report.
  await writeRunReport(runDir, { ...options, refreshSeconds: undefined });
  return renders + 1;
}
