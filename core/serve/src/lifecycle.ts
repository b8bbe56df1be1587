/**
 * Graceful shutdown on SIGINT/SIGTERM: the first signal stops taking requests and lets in-flight
 * ones finish (MedrlServer.close); a second one gives up waiting. The signal source is injectable
 * so tests never send real signals to the test runner.
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from '@medrl/sdk';

export interface SignalShutdownOptions {
  logger: Logger;
  signals?: readonly NodeJS.Signals[];
  /** Where signals come from; default `process`. */
  source?: Pick<EventEmitter, 'on' | 'removeListener'>;
  /** In-flight requests, for the log line. */
  inFlight?: () => number;
  /** Called on a second signal while draining; default exits with 130. */
  onForce?: (signal: NodeJS.Signals) => void;
}

export interface SignalShutdown {
  /** Resolves with the signal once the server has closed. */
  readonly closed: Promise<NodeJS.Signals>;
  /** Stops listening for signals (the server keeps running). */
  dispose(): void;
}

export function closeOnSignals(server: { close(): Promise<void> }, options: SignalShutdownOptions): SignalShutdown {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const source = options.source ?? process;
  const onForce = options.onForce ?? (() => process.exit(130));
  let draining = false;
  let resolveClosed!: (signal: NodeJS.Signals) => void;
  let rejectClosed!: (error: unknown) => void;
  const closed = new Promise<NodeJS.Signals>((resolve, reject) => {
    resolveClosed = resolve;
    rejectClosed = reject;
  });

  const dispose = (): void => {
    for (const signal of signals) source.removeListener(signal, handlers.get(signal)!);
  };
  const handlers = new Map<NodeJS.Signals, () => void>(
    signals.map((signal) => [
      signal,
      () => {
        if (draining) {
          options.logger.warn(`${signal} again: not waiting for in-flight requests`);
          onForce(signal);
          return;
        }
        draining = true;
        const running = options.inFlight?.() ?? 0;
        options.logger.info(`${signal}: no new requests; finishing ${running} in-flight request(s)`);
        server.close().then(
          () => {
            dispose();
            options.logger.info('server closed');
            resolveClosed(signal);
          },
          (error: unknown) => {
            dispose();
            rejectClosed(error);
          },
        );
      },
    ]),
  );
  for (const signal of signals) source.on(signal, handlers.get(signal)!);
  return { closed, dispose };
}
