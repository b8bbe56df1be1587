/**
 * PPO's value head: a linear map from the policy's last hidden state to a scalar value per
 * position (TRL's ValueHead, without dropout). Its gradient also reaches the shared body, as in
 * TRL's AutoModelForCausalLMWithValueHead.
 */
import * as tf from '@tensorflow/tfjs';
import type { NamedParam } from './optimizer.js';
import type { FloatTensor } from './state-file.js';

let headCounter = 0;

export class ValueHead {
  readonly weight: tf.Variable; // [H, 1]
  readonly bias: tf.Variable; // [1]

  /** torch.nn.Linear's initialization: U(-1/sqrt(H), 1/sqrt(H)) for weight and bias, seeded. */
  constructor(hiddenSize: number, seed: number) {
    const bound = 1 / Math.sqrt(hiddenSize);
    const id = ++headCounter;
    this.weight = tf.variable(
      tf.randomUniform([hiddenSize, 1], -bound, bound, 'float32', seed),
      true,
      `value_head_${id}/weight`,
    );
    this.bias = tf.variable(tf.randomUniform([1], -bound, bound, 'float32', seed + 1), true, `value_head_${id}/bias`);
  }

  /** hidden [B, T, H] -> values [B, T]. */
  apply(hidden: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => {
      const [b, t, h] = hidden.shape;
      const flat = tf.reshape(hidden, [b * t, h]) as tf.Tensor2D;
      return tf.reshape(tf.add(tf.matMul(flat, this.weight as tf.Tensor2D), this.bias), [b, t]) as tf.Tensor2D;
    });
  }

  params(): NamedParam[] {
    return [
      { name: 'v_head.summary.weight', variable: this.weight },
      { name: 'v_head.summary.bias', variable: this.bias },
    ];
  }

  /** As TRL saves it (v_head.summary.weight [1, H], v_head.summary.bias [1]). */
  exportTensors(): Record<string, FloatTensor> {
    return {
      'v_head.summary.weight': { shape: [1, this.weight.shape[0]], data: Float32Array.from(this.weight.dataSync()) },
      'v_head.summary.bias': { shape: [1], data: Float32Array.from(this.bias.dataSync()) },
    };
  }

  load(tensors: Record<string, FloatTensor>): void {
    const w = tensors['v_head.summary.weight'];
    const b = tensors['v_head.summary.bias'];
    if (!w || !b) throw new Error('value head state is missing v_head.summary.weight or v_head.summary.bias');
    if (w.data.length !== this.weight.size) {
      throw new Error(
        `value head weight has ${w.data.length} values, the model's hidden size needs ${this.weight.size}`,
      );
    }
    tf.tidy(() => {
      this.weight.assign(tf.tensor(w.data, this.weight.shape));
      this.bias.assign(tf.tensor(b.data, [1]));
    });
  }

  dispose(): void {
    this.weight.dispose();
    this.bias.dispose();
  }
}
