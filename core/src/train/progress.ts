/**
 * Progress of a training run: a live bar (cli-progress) with ETA and the run's live figures (PPO:
 * reward and KL; SFT: loss and eval loss) on a terminal, log lines otherwise, or nothing.
 */
import { SingleBar } from 'cli-progress';
import type { Logger } from '@medrl/sdk';
import { Eta } from '../runtime/eta.js';

export type ProgressMode = 'auto' | 'bar' | 'log' | 'none';

/** Figures shown beside the bar, by label; NaN shows as n/a. */
export type Figures = Record<string, number>;

export interface Progress {
  start(total: number, done: number): void;
  /** `log: false` moves the bar without a log line (SFT logs every logging_steps). */
  update(step: number, figures: Figures, options?: { log?: boolean }): void;
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
  const eta = new Eta(0);
  if (resolved === 'log') {
    let total = 0;
    return {
      start(n, done) {
        total = n;
        eta.reset(n);
        void done;
      },
      update(step, figures, options) {
        const left = eta.label(step);
        if (options?.log === false) return;
        logger.info(`${label} step ${step}/${total} ${describe(figures)} ${left}`);
      },
      stop() {},
    };
  }
  const bar = new SingleBar({
    format: `${label} [{bar}] {value}/{total} | {eta} | {figures}`,
    hideCursor: true,
    clearOnComplete: false,
  });
  let shown: Figures = {};
  return {
    start(total, done) {
      eta.reset(total);
      bar.start(total, done, { figures: describe({}), eta: 'eta …' });
    },
    update(step, figures, options) {
      if (options?.log !== false) shown = figures;
      bar.update(step, { figures: describe(shown), eta: eta.label(step) });
    },
    stop() {
      bar.stop();
    },
  };
}
