/**
 * Seeded randomness of training with a state that goes into checkpoints (pure-rand's
 * xoroshiro128+), so that a resumed run draws exactly the numbers an uninterrupted one would.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { labelHash } from '@medrl/core';
import { EngineRng } from '@medrl/engine';

/** The engine's generator plus what training needs: labelled streams, integers and permutations. */
export class TrainRng extends EngineRng {
  /** A stream for `label` under `seed`. */
  static create(seed: number, label: string): TrainRng {
    return new TrainRng(xoroshiro128plus((seed ^ labelHash(label)) | 0));
  }

  static override fromState(state: readonly number[]): TrainRng {
    return new TrainRng(xoroshiro128plusFromState(state));
  }

  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number {
    return uniformInt(this.generator, 0, maxExclusive - 1);
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
