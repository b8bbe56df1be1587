/**
 * Interrupts of long-running commands (`medrl sft`, `medrl train`): the first SIGINT (Ctrl-C) or
 * SIGTERM asks the trainer to stop after the current step; it writes a resumable checkpoint and
 * returns, and the command exits 130 (SIGINT) or 143 (SIGTERM) with one line saying how to
 * continue. The listeners are removed at once, so a second signal has the default effect and ends
 * the process immediately (the last checkpoint on disk stays complete: checkpoints are atomic).
 */
import type { Run } from './run.js';

export type StopSignalName = 'SIGINT' | 'SIGTERM';

/** The shell's convention: 128 + the signal's number. */
export function exitCodeOf(signal: StopSignalName | undefined): number {
  return signal === 'SIGTERM' ? 143 : 130;
}

/** Something that emits process signals (the process itself; an EventEmitter in tests). */
export interface SignalSource {
  once(event: StopSignalName, listener: () => void): unknown;
  removeListener(event: StopSignalName, listener: () => void): unknown;
}

export interface GracefulStop {
  /** Aborted by the first signal, with the signal's name as reason. */
  readonly signal: AbortSignal;
  /** Removes the listeners (when the command ends). */
  dispose(): void;
}

/**
 * Listens for SIGINT and SIGTERM; the first one aborts `signal` (reason: its name) and calls
 * `onStop`, and both listeners go away so that the next signal is not caught.
 */
export function listenForStop(
  onStop: (signal: StopSignalName) => void,
  source: SignalSource = process as unknown as SignalSource,
): GracefulStop {
  const controller = new AbortController();
  const names: StopSignalName[] = ['SIGINT', 'SIGTERM'];
  const listeners = new Map<StopSignalName, () => void>();
  const dispose = () => {
    for (const [name, listener] of listeners) source.removeListener(name, listener);
    listeners.clear();
  };
  for (const name of names) {
    const listener = () => {
      dispose();
      controller.abort(name);
      onStop(name);
    };
    listeners.set(name, listener);
    source.once(name, listener);
  }
  return { signal: controller.signal, dispose };
}

/** Whether a trainer should stop before its next step (a graceful stop, or the run cancelled). */
export function stopRequested(run: Pick<Run, 'stopSignal' | 'context'>): boolean {
  return run.stopSignal?.aborted === true || run.context.signal?.aborted === true;
}

/** The signal that stopped a run, if a signal did. */
export function stopSignalName(run: Pick<Run, 'stopSignal'>): StopSignalName | undefined {
  const reason: unknown = run.stopSignal?.reason;
  return reason === 'SIGINT' || reason === 'SIGTERM' ? reason : undefined;
}
