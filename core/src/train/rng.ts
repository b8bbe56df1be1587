/**
 * Seeded randomness of training with a state that goes into checkpoints (pure-rand's
 * xoroshiro128+), so that a resumed run draws exactly the numbers an uninterrupted one would.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** FNV-1a of a label, so that streams for different purposes are independent. */
function labelHash(label: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193);
  return hash | 0;
}

export class TrainRng {
  private constructor(private generator: RandomGenerator) {}

  /** A stream for `label` under `seed`. */
  static create(seed: number, label: string): TrainRng {
    return new TrainRng(xoroshiro128plus((seed ^ labelHash(label)) | 0));
  }

  static fromState(state: readonly number[]): TrainRng {
    return new TrainRng(xoroshiro128plusFromState(state));
  }

  state(): number[] {
    return [...this.generator.getState()];
  }

  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number {
    return uniformInt(this.generator, 0, maxExclusive - 1);
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return uniformFloat64(this.generator);
  }

  /** A 31-bit seed for a consumer that seeds itself (e.g. the sampler of one generation). */
  seed(): number {
    return this.int(0x7fffffff);
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): number[] {
    const out = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}
