/**
 * The order in which training prompts are drawn: a fresh seeded shuffle per epoch (TRL's
 * dataloader shuffles), consumed batch by batch. Its state (epoch, position, order) goes into
 * checkpoints so a resumed run draws the same prompts.
 */
import type { DataCursor } from './checkpoint-state.js';
import { TrainRng } from './rng.js';

export class PromptCursor {
  private constructor(
    private readonly size: number,
    private readonly rng: TrainRng,
    private state_: DataCursor,
  ) {}

  static start(size: number, rng: TrainRng): PromptCursor {
    if (size === 0) throw new Error('no training prompts');
    return new PromptCursor(size, rng, { epoch: 0, cursor: 0, order: rng.permutation(size), rng: [] });
  }

  /** Continues from a checkpointed state (its own random stream included). */
  static restore(size: number, state: DataCursor): PromptCursor {
    if (state.order.length !== size) {
      throw new Error(
        `the checkpoint was made with ${state.order.length} prompts, the prompt file now has ${size}; resume needs the same prompts`,
      );
    }
    return new PromptCursor(size, TrainRng.fromState(state.rng), structuredClone(state));
  }

  /** The next `n` prompt indices, starting a new shuffled epoch when one runs out. */
  take(n: number): number[] {
    const out: number[] = [];
    while (out.length < n) {
      if (this.state_.cursor >= this.size) {
        this.state_ = { epoch: this.state_.epoch + 1, cursor: 0, order: this.rng.permutation(this.size), rng: [] };
      }
      out.push(this.state_.order[this.state_.cursor]!);
      this.state_.cursor += 1;
    }
    return out;
  }

  state(): DataCursor {
    return { ...structuredClone(this.state_), rng: this.rng.state() };
  }
}
