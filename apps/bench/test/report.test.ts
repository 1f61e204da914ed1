import { describe, expect, it } from 'vitest';
import { markdownReport, terminalReport } from '../src/report.ts';
import { syntheticResult } from './fixtures.ts';

describe('reports', () => {
  it('print every figure for twinnet, PyTorch at each thread count, and the ratio', () => {
    const result = syntheticResult();
    const markdown = markdownReport(result);
    expect(markdown).toContain(
      '| figure | twinnet (wasm, 1 thread) | PyTorch 1 thread | PyTorch 2 threads | twinnet/PyTorch (1 thread; lowest–highest round) |',
    );
    expect(markdown).toContain(
      '| contrastive (small tower, distance), batch 64: pairs/s | 2,000 | 4,000 | 6,000 | 0.50× |',
    );
    expect(markdown).toContain(
      '| seconds to 98.00% | 100.0 s (64,000 pairs) | 50.0 s (64,000 pairs) | — | 2.00× |',
    );
    expect(terminalReport(result)).toMatch(
      /bce \(deep tower, mlp\), batch 64: pairs\/s +300 +600 +900 +0\.50×/,
    );
  });

  it('show how far a throughput ratio moved over the rounds, and that PyTorch is no regression reference', () => {
    const result = syntheticResult();
    result.throughput[0]!.trainPairsPerSecond.ratioRange = [0.41, 0.63];
    expect(markdownReport(result)).toContain(
      '| contrastive (small tower, distance), batch 64: pairs/s | 2,000 | 4,000 | 6,000 | 0.50× (0.41–0.63) |',
    );
    expect(terminalReport(result)).toContain(
      'PyTorch peer (what a user would pick instead; never the regression reference)',
    );
  });

  it('print the classifier workload in images, training and embedding, with its ratio range', () => {
    const result = syntheticResult();
    result.classifierThroughput[0]!.trainImagesPerCpuSecond.ratioRange = [1.02, 1.31];
    const markdown = markdownReport(result);
    expect(markdown).toContain(
      '| vgg tower, cosine classifier (norm-softmax, scale 16), batch 224 images (7 classes × 32): images/s | 350 | 300 | 500 | 1.17× |',
    );
    expect(markdown).toContain(
      '| vgg tower, cosine classifier (norm-softmax, scale 16), batch 224 images (7 classes × 32): images per CPU second | 360 | 310 | 280 | 1.16× (1.02–1.31) |',
    );
    expect(markdown).toContain(
      '| vgg tower (classifier-trained): embed images/s (batch 256) | 1,500 | 1,200 | 2,000 | 1.25× |',
    );
    expect(terminalReport(result)).toMatch(
      /vgg tower \(classifier-trained\): embed images per CPU second +1,520 +1,210 +1,100 +1\.26×/,
    );
  });

  it('print no classifier rows for a result from before the classifier workload', () => {
    const result = { ...syntheticResult(), classifierThroughput: [] };
    expect(markdownReport(result)).not.toContain('vgg');
  });

  it('leave out the PyTorch and ratio columns when the peer was not measured', () => {
    const result = syntheticResult();
    result.peer = { ...result.peer, available: false, reason: 'skipped (--no-peer)', threads: [] };
    const markdown = markdownReport(result);
    expect(markdown).toContain('| figure | twinnet (wasm, 1 thread) |\n');
    expect(markdown).toContain('PyTorch peer not measured: skipped (--no-peer)');
  });
});
