import * as tf from '@tensorflow/tfjs';

/** The kernel that does one variable's whole Adam step; registered by backends that have it (the native kernels). */
export const ADAM_KERNEL = 'TwinnetAdam';

export interface AdamKernelAttrs {
  /** β1, 1 − β1, β2, 1 − β2, 1 − β1ᵗ, 1 − β2ᵗ, ε, −learning rate: what tfjs's Adam multiplies and adds by. */
  coefficients: number[];
}

/** The moment variables tfjs's AdamOptimizer keeps (TypeScript-private there, the same objects at run time). */
interface AdamState {
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

/**
 * tfjs's Adam, with each variable's update done by one kernel where the backend registers one: the stock
 * optimizer runs about fifteen small kernels per variable, a fixed cost of several milliseconds per step that
 * dominates small batches. The arithmetic and its float32 roundings are the stock optimizer's, so weights match
 * (tested); its moments, checkpoints (getWeights / setWeights) and class name are inherited unchanged.
 */
export class KernelAdam extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (tf.getKernel(ADAM_KERNEL, tf.getBackend()) === undefined) {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamState;
    const entries = Array.isArray(variableGradients)
      ? variableGradients.map(({ name, tensor }) => [name, tensor] as const)
      : Object.entries(variableGradients);
    tf.tidy(() => {
      const [accBeta1, accBeta2] = [state.accBeta1.dataSync()[0]!, state.accBeta2.dataSync()[0]!];
      // 1 − β^t as tfjs computes it: in float32, from the float32 accumulators.
      const coefficients = [
        state.beta1,
        1 - state.beta1,
        state.beta2,
        1 - state.beta2,
        Math.fround(1 - accBeta1),
        Math.fround(1 - accBeta2),
        state.epsilon,
        -this.learningRate,
      ];
      entries.forEach(([name, gradient], i) => {
        const value = tf.engine().registeredVariables[name]!;
        state.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        state.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        if (gradient == null) return;
        const m = state.accumulatedFirstMoment[i]!.variable;
        const v = state.accumulatedSecondMoment[i]!.variable;
        const attrs: AdamKernelAttrs = { coefficients };
        const [x1, m1, v1] = tf
          .engine()
          .runKernel(ADAM_KERNEL, { x: value, m, v, g: gradient }, attrs as never) as tf.Tensor[];
        value.assign(x1!);
        m.assign(m1!);
        v.assign(v1!);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, state.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, state.beta2));
    });
    this.incrementIterations();
  }

  /**
   * Restores a checkpoint. The stock optimizer sets β^t to pow(β, t + 1), which can differ in the last bit from
   * the running product it keeps while training (t float32 multiplications), so a resumed run would drift from an
   * uninterrupted one; here the product is redone as training does it, and a resume continues bit for bit.
   */
  override async setWeights(weightValues: Parameters<tf.AdamOptimizer['setWeights']>[0]): Promise<void> {
    await super.setWeights(weightValues);
    const state = this as unknown as AdamState;
    const running = (beta: number) => {
      const b = Math.fround(beta);
      let acc = b;
      for (let t = 0; t < this.iterations_; t++) acc = Math.fround(acc * b);
      return acc;
    };
    tf.tidy(() => {
      state.accBeta1.assign(tf.scalar(running(state.beta1)));
      state.accBeta2.assign(tf.scalar(running(state.beta2)));
    });
  }
}
