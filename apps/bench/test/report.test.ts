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

  it('leave out the PyTorch and ratio columns when the peer was not measured', () => {
    const result = syntheticResult();
    result.peer = { ...result.peer, available: false, reason: 'skipped (--no-peer)', threads: [] };
    const markdown = markdownReport(result);
    expect(markdown).toContain('| figure | twinnet (wasm, 1 thread) |\n');
    expect(markdown).toContain('PyTorch peer not measured: skipped (--no-peer)');
  });
});
