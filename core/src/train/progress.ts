/**
 * Progress of a training run: a live bar (cli-progress) with ETA and the run's live figures (PPO:
 * reward and KL; SFT: loss and eval loss) on a terminal, one log line per step otherwise, or nothing.
 */
import { SingleBar } from 'cli-progress';
import type { Logger } from '@medrl/sdk';

export type ProgressMode = 'auto' | 'bar' | 'log' | 'none';

/** Figures shown beside the bar, by label; NaN shows as n/a. */
export type Figures = Record<string, number>;

export interface Progress {
  start(total: number, done: number): void;
  update(step: number, figures: Figures): void;
  stop(): void;
}

function fmt(x: number | undefined): string {
  return x !== undefined && Number.isFinite(x) ? x.toFixed(4) : 'n/a';
}

/** `names` fixes which figures are shown, and in what order. */
export function createProgress(mode: ProgressMode, label: string, logger: Logger, names: readonly string[]): Progress {
  const resolved = mode === 'auto' ? (process.stderr.isTTY ? 'bar' : 'log') : mode;
  if (resolved === 'none') return { start() {}, update() {}, stop() {} };
  const describe = (figures: Figures): string => names.map((n) => `${n} ${fmt(figures[n])}`).join(' ');
  if (resolved === 'log') {
    let total = 0;
    let t0 = 0;
    let first = 0;
    return {
      start(n, done) {
        total = n;
        first = done;
        t0 = performance.now();
      },
      update(step, figures) {
        const elapsed = (performance.now() - t0) / 1000;
        const perStep = elapsed / Math.max(1, step - first);
        const eta = Math.round(perStep * (total - step));
        logger.info(`${label} step ${step}/${total} ${describe(figures)} eta ${eta}s`);
      },
      stop() {},
    };
  }
  const bar = new SingleBar({
    format: `${label} [{bar}] {value}/{total} | ETA {eta_formatted} | {figures}`,
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 20,
  });
  return {
    start(total, done) {
      bar.start(total, done, { figures: describe({}) });
    },
    update(step, figures) {
      bar.update(step, { figures: describe(figures) });
    },
    stop() {
      bar.stop();
    },
  };
}
