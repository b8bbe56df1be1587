/**
 * The KL coefficient beta of PPO's per-token penalty -beta * KL.
 * Adaptive (Ziegler et al. 2019, as TRL ≤ 0.11): after each step with observed KL and n samples,
 *   e = clip(KL / target - 1, -0.2, 0.2),   beta <- beta * (1 + e * n / horizon).
 * Fixed: beta never changes. Both expose their state so a checkpoint can restore it exactly.
 */

export interface KlControllerState {
  kind: 'adaptive' | 'fixed';
  value: number;
}

export interface KlController {
  /** The current coefficient. */
  readonly value: number;
  /** Feeds the KL of the last step and the number of samples it covered. */
  update(currentKl: number, nSteps: number): void;
  state(): KlControllerState;
}

export class AdaptiveKlController implements KlController {
  value: number;

  constructor(
    initKlCoef: number,
    readonly target: number,
    readonly horizon: number,
  ) {
    if (!(target > 0)) throw new Error(`adaptive KL control needs target > 0 (got ${target})`);
    if (!(horizon > 0)) throw new Error(`adaptive KL control needs horizon > 0 (got ${horizon})`);
    this.value = initKlCoef;
  }

  update(currentKl: number, nSteps: number): void {
    // A NaN KL (empty mask) must not poison beta for the rest of the run.
    if (!Number.isFinite(currentKl)) return;
    const proportionalError = Math.min(0.2, Math.max(-0.2, currentKl / this.target - 1));
    this.value *= 1 + (proportionalError * nSteps) / this.horizon;
  }

  state(): KlControllerState {
    return { kind: 'adaptive', value: this.value };
  }
}

export class FixedKlController implements KlController {
  constructor(readonly value: number) {}

  update(): void {}

  state(): KlControllerState {
    return { kind: 'fixed', value: this.value };
  }
}

export function createKlController(opts: {
  adap_kl_ctrl: boolean;
  init_kl_coef: number;
  target: number;
  horizon: number;
}): KlController {
  return opts.adap_kl_ctrl
    ? new AdaptiveKlController(opts.init_kl_coef, opts.target, opts.horizon)
    : new FixedKlController(opts.init_kl_coef);
}

/** A controller of the checkpointed kind and value. */
export function restoreKlController(state: KlControllerState, opts: { target: number; horizon: number }): KlController {
  return state.kind === 'adaptive'
    ? new AdaptiveKlController(state.value, opts.target, opts.horizon)
    : new FixedKlController(state.value);
}
