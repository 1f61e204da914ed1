// twinnet's kernels on plain wasm (the path of browsers and of machines without the native kernels).
import { kernelSuite } from './kernel-suite.ts';

kernelSuite('wasm');
