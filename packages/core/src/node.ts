// Node's door to @twinnet/core: backend selection with tfjs-node and the native kernels, and file I/O. Browser
// code imports '@twinnet/core' instead, which has none of this.
export { initBackend, setNativeThreads } from './backend/node.ts';
export {
  choiceFlag,
  classListFlag,
  type OptionSpec,
  type ParsedValues,
  parseCommandLine,
  rangeFlag,
  UsageError,
} from './cli-args.ts';
export {
  describeWriteError,
  loadModelFromDir,
  processAlive,
  processStartTime,
  readJsonArtifact,
  recoverReplaceDirectory,
  replaceDirectory,
  saveModelToDir,
  writeFileAtomic,
  writeJsonAtomic,
} from './io/files.ts';
export { nodeIo } from './io/node-io.ts';
export { type ExportSummary, exportMatcher } from './match/export.ts';
export { Matcher } from './match/node-matcher.ts';
