/**
 * Progress of a training run: a live bar (cli-progress) with ETA, reward and KL on a terminal, one
 * log line per step otherwise, or nothing.
 */
import { SingleBar } from 'cli-progress';
import type { Logger } from '@medrl/sdk';

export type ProgressMode = 'auto' | 'bar' | 'log' | 'none';

export interface Progress {
  start(total: number, done: number): void;
  update(step: number, figures: { reward: number; kl: number }): void;
  stop(): void;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(4) : 'n/a';
}

export function createProgress(mode: ProgressMode, label: string, logger: Logger): Progress {
  const resolved = mode === 'auto' ? (process.stderr.isTTY ? 'bar' : 'log') : mode;
  if (resolved === 'none') return { start() {}, update() {}, stop() {} };
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
      update(step, { reward, kl }) {
        const elapsed = (performance.now() - t0) / 1000;
        const perStep = elapsed / Math.max(1, step - first);
        const eta = Math.round(perStep * (total - step));
        logger.info(`${label} step ${step}/${total} reward ${fmt(reward)} kl ${fmt(kl)} eta ${eta}s`);
      },
      stop() {},
    };
  }
  const bar = new SingleBar({
    format: `${label} [{bar}] {value}/{total} | ETA {eta_formatted} | reward {reward} | kl {kl}`,
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 20,
  });
  return {
    start(total, done) {
      bar.start(total, done, { reward: 'n/a', kl: 'n/a' });
    },
    update(step, { reward, kl }) {
      bar.update(step, { reward: fmt(reward), kl: fmt(kl) });
    },
    stop() {
      bar.stop();
    },
  };
}
