// Progress ETAs leave the first unit (backend warm-up, kernel compilation) out of the pace, and
// graceful stops map the first SIGINT/SIGTERM to a stop request and the shell's exit codes.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Eta, formatSeconds } from '../../core/src/runtime/eta.js';
import { exitCodeOf, listenForStop, type SignalSource } from '../../core/src/runtime/interrupt.js';

describe('Eta', () => {
  it('has no estimate before the second unit, then uses the pace since the first', () => {
    let now = 0;
    const eta = new Eta(100, () => now);
    now = 30_000; // the first step took 30 s (warm-up)
    expect(eta.label(1)).toBe('eta …');
    now = 31_000;
    expect(eta.seconds(2)).toBeCloseTo(98, 9); // 1 s per step since step 1, 98 to go
    now = 33_000;
    expect(eta.label(4)).toBe('eta 1m36s');
  });

  it.each([
    [0, '0s'],
    [59.4, '59s'],
    [125, '2m05s'],
    [3720, '1h02m'],
  ])('formats %s s as %s', (s, text) => expect(formatSeconds(s)).toBe(text));
});

describe('graceful stop', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    'the first %s requests a stop (exit %d) and stops listening, so a second one is not caught',
    (name, code) => {
      const source = new EventEmitter();
      const seen: string[] = [];
      const stop = listenForStop((s) => seen.push(s), source as unknown as SignalSource);
      expect(source.listenerCount('SIGINT')).toBe(1);
      expect(source.listenerCount('SIGTERM')).toBe(1);
      source.emit(name);
      expect(stop.signal.aborted).toBe(true);
      expect(stop.signal.reason).toBe(name);
      expect(seen).toEqual([name]);
      expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(0);
      expect(exitCodeOf(name)).toBe(code);
    },
  );

  it('dispose removes the listeners without stopping', () => {
    const source = new EventEmitter();
    const stop = listenForStop(() => {}, source as unknown as SignalSource);
    stop.dispose();
    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(0);
    expect(stop.signal.aborted).toBe(false);
  });
});
