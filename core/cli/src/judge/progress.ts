/** The progress bar of `medrl judge`: cli-progress on stderr, shown only on a terminal. */
import cliProgress from 'cli-progress';

export interface Progress {
  start(total: number): void;
  /** Advances by `done` lines; `missing` is the running count of lines without a judgement. */
  advance(done: number, missing: number): void;
  stop(): void;
}

export const noProgress: Progress = { start() {}, advance() {}, stop() {} };

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return noProgress;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'judging {bar} {value}/{total} | {missing} missing | {duration_formatted} elapsed, eta {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (total) => bar.start(total, 0, { missing: 0 }),
    advance: (done, missing) => bar.increment(done, { missing }),
    stop: () => bar.stop(),
  };
}
