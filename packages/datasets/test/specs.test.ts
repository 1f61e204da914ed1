import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  CLASS_NAMES,
  DATASET_NAMES,
  DATASETS,
  type DatasetName,
  datasetSpec,
  FILE_ROLES,
  isDatasetName,
} from '../src/index.ts';

describe('dataset registry', () => {
  it('lists a non-empty set of unique names, usable as a z.enum tuple', () => {
    const [first, ...rest]: readonly [DatasetName, ...DatasetName[]] = DATASET_NAMES;
    expect(first).toBeDefined();
    expect(new Set([first, ...rest]).size).toBe(DATASETS.length);
    expect(DATASET_NAMES).toEqual(DATASETS.map((spec) => spec.name));
  });

  it('finds specs by name and rejects unknown names, listing the known ones', () => {
    expect(datasetSpec('mnist').title).toBe('MNIST');
    expect(() => datasetSpec('cifar')).toThrow(TypeError);
    expect(() => datasetSpec('cifar')).toThrow(
      `unknown dataset "cifar"; known datasets: ${DATASET_NAMES.join(', ')}`,
    );
    expect(isDatasetName('fashion-mnist')).toBe(true);
    expect(isDatasetName('cifar')).toBe(false);
  });

  it.each(DATASETS)('$name: complete and consistent', (spec) => {
    expect(spec.classNames.length).toBeGreaterThan(1);
    expect(new Set(spec.classNames).size).toBe(spec.classNames.length);
    expect(CLASS_NAMES[spec.name as DatasetName]).toBe(spec.classNames);
    expect(spec.image.rows).toBeGreaterThan(0);
    expect(spec.image.cols).toBeGreaterThan(0);
    expect(['digit', 'fill']).toContain(spec.framing);
    expect(Object.keys(spec.files).sort()).toEqual([...FILE_ROLES].sort());
    for (const role of FILE_ROLES) expect(spec.files[role].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(spec.sources.envVar).toMatch(/^TWINNET_[A-Z_]+_DIR$/);
  });

  it('has ten classes of 28×28 images for MNIST and Fashion-MNIST, framed differently', () => {
    for (const name of ['mnist', 'fashion-mnist']) {
      expect(datasetSpec(name).classNames).toHaveLength(10);
      expect(datasetSpec(name).image).toEqual({ rows: 28, cols: 28 });
    }
    expect([datasetSpec('mnist').framing, datasetSpec('fashion-mnist').framing]).toEqual(['digit', 'fill']);
  });

  it('is frozen: no caller can edit a shared spec', () => {
    const spec = datasetSpec('mnist');
    expect(Object.isFrozen(spec)).toBe(true);
    expect(Object.isFrozen(spec.classNames)).toBe(true);
    expect(Object.isFrozen(spec.files.trainImages)).toBe(true);
  });

  it('specs.ts is browser-safe: it imports nothing (so nothing from Node)', async () => {
    const source = await readFile(new URL('../src/specs.ts', import.meta.url), 'utf8');
    const imports = source.match(
      /^\s*import\s*['"]|^\s*(import|export)\b[^;]*\bfrom\s+['"][^'"]+['"]|\bimport\s*\(|\brequire\s*\(/gm,
    );
    expect(imports).toBeNull();
    expect(source).not.toMatch(/\bprocess\.|\bBuffer\b|node:/);
  });
});
