import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../src/cli-args.ts';

describe('parseCli', () => {
  it('with no flags, plans every default run', () => {
    const { configs, resume } = parseCli([]);
    expect(configs.map((c) => c.run)).toEqual([
      'mnist-contrastive',
      'mnist-bce',
      'fashion-mnist-contrastive',
      'fashion-mnist-bce',
      'mnist-contrastive-holdout',
      'fashion-mnist-contrastive-holdout',
    ]);
    expect(resume).toBe(false);
    expect(configs.find((c) => c.run === 'mnist-bce')).toMatchObject({
      tower: 'deep',
      head: 'mlp',
      pairing: 'in-batch',
    });
    expect(configs.find((c) => c.run === 'mnist-contrastive')).toMatchObject({
      tower: 'small',
      head: 'distance',
      margin: 1,
      pairing: 'in-batch',
    });
    expect(configs.at(-1)!.heldOutClasses).toEqual([7, 8, 9]);
  });

  it('lets flags override every preset field, after the `--` pnpm forwards', () => {
    const { configs, outDir, resume } = parseCli([
      '--',
      '--dataset',
      'fashion-mnist',
      '--variant',
      'bce',
      '--epochs',
      '3',
      '--batch-size',
      '32',
      '--learning-rate',
      '0.0005',
      '--seed',
      '9',
      '--backend',
      'cpu',
      '--train-size',
      '1000',
      '--held-out',
      '9,3',
      '--out',
      '/tmp/x',
      '--resume',
      '--pairing',
      'explicit',
    ]);
    expect(configs).toHaveLength(1);
    expect(configs[0]).toMatchObject({
      run: 'fashion-mnist-bce-holdout',
      epochs: 3,
      batchSize: 32,
      learningRate: 0.0005,
      seed: 9,
      backend: 'cpu',
      trainSize: 1000,
      heldOutClasses: [3, 9],
      pairing: 'explicit',
    });
    expect(outDir).toBe('/tmp/x');
    expect(resume).toBe(true);
  });

  it.each([
    [['--epochs', 'ten'], /--epochs expects a whole number >= 1, got 'ten'/],
    [['--epochs', '0'], /--epochs expects a whole number >= 1/],
    [['--learning-rate=-1'], /--learning-rate expects a positive number, got '-1'/],
    [['--learning-rate', 'NaN'], /--learning-rate expects a positive number/],
    [['--bogus'], /Unknown option '--bogus'/],
    [
      ['--dataset', 'cifar', '--variant', 'bce'],
      /--dataset expects one of mnist, fashion-mnist; got 'cifar'/,
    ],
    [['--dataset', 'mnist'], /--dataset and --variant go together/],
    [['--held-out', '3,x'], /--held-out expects class numbers 0-9/],
    [['--backend', 'gpu'], /--backend expects one of auto, tfjs-node, native, wasm, cpu/],
    [
      ['--pairs-per-epoch', '8', '--batch-size', '16'],
      /--pairs-per-epoch \(8\) must be at least --batch-size \(16\)/,
    ],
  ])('rejects %j with a clear message', (args, message) => {
    expect(() => parseCli(args)).toThrow(UsageError);
    expect(() => parseCli(args)).toThrow(message);
  });
});
