/**
 * The engine's seeded randomness (pure-rand's xoroshiro128+) for sampling and adapter dropout.
 * Its state is a short array of numbers, so a checkpoint can store it and a resumed run draws
 * exactly the numbers an uninterrupted one would.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

export class EngineRng {
  protected constructor(protected readonly generator: RandomGenerator) {}

  static fromSeed(seed: number): EngineRng {
    if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
    return new EngineRng(xoroshiro128plus(seed | 0));
  }

  /** Restores a generator from state(). */
  static fromState(state: readonly number[]): EngineRng {
    return new EngineRng(xoroshiro128plusFromState(state));
  }

  /** The serializable state. */
  state(): number[] {
    return [...this.generator.getState()];
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return uniformFloat64(this.generator);
  }

  /** A 31-bit integer, e.g. the seed of one tfjs random op. */
  seed(): number {
    return uniformInt(this.generator, 0, 0x7fffffff);
  }
}
