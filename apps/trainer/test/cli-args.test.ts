import { describe, expect, it } from 'vitest';
import { parseCli, USAGE, UsageError } from '../src/cli-args.ts';

describe('parseCli', () => {
  it('with no flags, plans every default run', () => {
    const { recipes: configs, resume } = parseCli([]);
    expect(configs.map((c) => c.run)).toEqual([
      'mnist-contrastive',
      'mnist-bce',
      'mnist-metric',
      'fashion-mnist-contrastive',
      'fashion-mnist-bce',
      'fashion-mnist-metric',
      'mnist-contrastive-holdout',
      'mnist-metric-holdout',
      'fashion-mnist-contrastive-holdout',
      'fashion-mnist-metric-holdout',
    ]);
    expect(resume).toBe(false);
    expect(configs.find((c) => c.run === 'mnist-bce')).toMatchObject({
      tower: { kind: 'deep' },
      head: { kind: 'mlp' },
      loss: { kind: 'bce' },
      pairing: { kind: 'in-batch', balance: false },
    });
    expect(configs.find((c) => c.run === 'mnist-contrastive')).toMatchObject({
      tower: { kind: 'small' },
      head: { kind: 'distance' },
      loss: { kind: 'contrastive', margin: 1, temperature: 0.1 },
      pairing: { kind: 'in-batch', balance: true },
    });
    expect(configs.at(-1)!.heldOutClasses).toEqual([7, 8, 9]);
    // Every metric run chooses its open-set cut on validation classes, then refits on all it may see.
    expect(configs.filter((c) => c.refit).map((c) => [c.run, c.validationClasses])).toEqual([
      ['mnist-metric', [1, 2, 5]],
      ['fashion-mnist-metric', [1, 2, 5]],
      ['mnist-metric-holdout', [1, 2, 4]],
      ['fashion-mnist-metric-holdout', [1, 2, 4]],
    ]);
  });

  it('turns refit on and off; without validation classes there is nothing to refit after', () => {
    const metric = ['--dataset', 'mnist', '--variant', 'metric', '--holdout'];
    expect(parseCli(metric).recipes[0]!.refit).toBe(true);
    expect(parseCli([...metric, '--no-refit']).recipes[0]!.refit).toBe(false);
    expect(parseCli([...metric, '--validation-classes', 'none']).recipes[0]).toMatchObject({
      refit: false,
      validationClasses: [],
    });
    const contrastive = ['--dataset', 'mnist', '--variant', 'contrastive', '--holdout'];
    expect(parseCli([...contrastive, '--validation-classes', '5,6', '--refit']).recipes[0]!.refit).toBe(true);
    expect(() => parseCli([...contrastive, '--refit'])).toThrow(/^--refit: refit .* needs some/);
    expect(() => parseCli([...metric, '--refit', '--no-refit'])).toThrow(/contradict/);
  });

  it('lets flags override every preset field, after the `--` pnpm forwards', () => {
    const {
      recipes: configs,
      backend,
      outDir,
      resume,
    } = parseCli([
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
      optimizer: { kind: 'adam', learningRate: 0.0005 },
      seed: 9,
      data: { trainSize: 1000 },
      heldOutClasses: [3, 9],
      pairing: { kind: 'explicit' },
    });
    expect(backend).toBe('cpu');
    expect(outDir).toBe('/tmp/x');
    expect(resume).toBe(true);
  });

  it.each([
    [['--epochs', 'ten'], /--epochs must be a whole number from 1 to 1000, got 'ten'/],
    [['--epochs', '0'], /--epochs must be a whole number from 1 to 1000, got '0'/],
    [['--epochs', '-1'], /--epochs must be a whole number from 1 to 1000, got '-1'/],
    [['--learning-rate=-1'], /--learning-rate must be a number above 0 and at most 10, got '-1'/],
    [['--learning-rate', 'NaN'], /--learning-rate must be a number above 0 and at most 10, got 'NaN'/],
    [
      ['--validation-pairs', '1000000000'],
      /--validation-pairs must be a whole number from 2 to 1000000, got '1000000000'/,
    ],
    [['--embedding-dim', '1000000'], /--embedding-dim must be a whole number from 1 to 4096, got '1000000'/],
    [['--jobs', '99'], /--jobs must be a whole number from 1 to 16, got '99'/],
    [['--tower', 'huge'], /--tower expects one of small, deep, encoder, vgg; got 'huge'/],
    [
      ['--dataset', 'mnist', '--variant', 'contrastive', '--loss', 'bce'],
      /--loss: loss 'bce' needs a mlp head/,
    ],
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
      /--pairs-per-epoch: pairsPerEpoch \(8\) must be at least batchSize \(16\)/,
    ],
  ])('rejects %j with a clear message', (args, message) => {
    expect(() => parseCli(args)).toThrow(UsageError);
    expect(() => parseCli(args)).toThrow(message);
  });
});

describe('--tower-width', () => {
  it('widens or narrows the stages of a vgg tower, and names the flag when the tower has none', () => {
    const [narrow] = parseCli([
      '--dataset',
      'mnist',
      '--variant',
      'metric',
      '--tower',
      'vgg',
      '--tower-width',
      '0.75',
    ]).recipes;
    expect(narrow!.tower).toMatchObject({ kind: 'vgg', width: 0.75 });
    expect(() =>
      parseCli(['--dataset', 'mnist', '--variant', 'contrastive', '--tower-width', '0.5']),
    ).toThrow(/--tower-width: tower 'small' has no stages to widen/);
  });
});

describe('--readout', () => {
  it('sets what matching embeds by, and names the flag when the tower or head cannot be read so', () => {
    const [grid] = parseCli(['--dataset', 'mnist', '--variant', 'metric', '--readout', 'grid']).recipes;
    expect(grid!.tower).toMatchObject({ kind: 'encoder', readout: 'grid' });
    // Another tower is read by its output unless --readout says otherwise.
    const [vgg] = parseCli(['--dataset', 'mnist', '--variant', 'metric', '--tower', 'vgg']).recipes;
    expect(vgg!.tower).toMatchObject({ kind: 'vgg', readout: 'output' });
    expect(() => parseCli(['--dataset', 'mnist', '--variant', 'metric', '--readout', 'pooled'])).toThrow(
      /--readout expects one of output, grid, output\+grid; got 'pooled'/,
    );
    expect(() =>
      parseCli(['--dataset', 'mnist', '--variant', 'metric', '--tower', 'vgg', '--readout', 'grid']),
    ).toThrow(/--readout: tower 'vgg' has no feature map/);
    expect(() => parseCli(['--dataset', 'mnist', '--variant', 'bce', '--readout', 'grid'])).toThrow(
      /--readout: tower 'deep' has no feature map/,
    );
  });
});

describe('--target-precision', () => {
  it('sets the open-set target of every run it applies to; the default is the best F1', () => {
    const [plain] = parseCli(['--dataset', 'mnist', '--variant', 'metric']).recipes;
    expect(plain!.evaluation.openSetTarget).toEqual({ kind: 'best-f1' });
    const [precise] = parseCli([
      '--dataset',
      'mnist',
      '--variant',
      'metric',
      '--target-precision',
      '0.95',
    ]).recipes;
    expect(precise!.evaluation.openSetTarget).toEqual({ kind: 'precision', min: 0.95 });
    for (const bad of ['0', '1.5', 'high'])
      expect(() => parseCli(['--target-precision', bad])).toThrow(/--target-precision/);
  });
});

describe('--augment', () => {
  const recipe = (...args: string[]) =>
    parseCli(['--dataset', 'mnist', '--variant', 'contrastive', ...args]).recipes[0]!;

  it('sets the recipe’s augmentation from name=value pairs; none or no flag leaves it empty', () => {
    expect(recipe('--augment', 'rotation=15,scale=0.1,shift=2').augmentation).toEqual([
      { kind: 'affine', rotation: 15, scale: 0.1, shift: 2 },
    ]);
    expect(recipe('--augment', 'shift=1,thickness=0.25').augmentation).toEqual([
      { kind: 'affine', rotation: 0, scale: 0, shift: 1 },
      { kind: 'stroke', thickness: 0.25 },
    ]);
    expect(recipe('--augment', 'none').augmentation).toEqual([]);
    expect(recipe().augmentation).toEqual([]);
  });

  it.each([
    [['--augment', 'rotation=90'], /--augment: rotation must be a number from 0 to 45, got '90'/],
    [['--augment', 'shift=-1'], /--augment: shift must be a number from 0 to 8, got '-1'/],
    [['--augment', 'spin=3'], /--augment: expects 'none' or name=value pairs .*; got 'spin=3'/],
    [['--augment', 'rotation'], /--augment: expects 'none' or name=value pairs/],
  ])('rejects %j naming the flag', (args, message) => {
    expect(() => recipe(...args)).toThrow(UsageError);
    expect(() => recipe(...args)).toThrow(message);
  });
});

describe('USAGE', () => {
  it('lists every registered piece and each numeric flag with its range', () => {
    expect(USAGE).toMatch(/--tower small\|deep/);
    expect(USAGE).toMatch(/--loss contrastive\|bce/);
    expect(USAGE).toMatch(/--epochs N .*: a whole number from 1 to 1000/);
    expect(USAGE).toMatch(/tower deep: /);
    expect(USAGE).toMatch(/--augment LIST\|none/);
    expect(USAGE).toMatch(/rotation \(affine\): .*a number from 0 to 45/);
    expect(USAGE).toMatch(/augmentation stroke: /);
  });
});
