// Node-only helpers of @twinnet/core (file system access); imported as '@twinnet/core/node'.
export {
  loadModelFromDir,
  readJsonArtifact,
  saveModelToDir,
  writeFileAtomic,
  writeJsonAtomic,
} from './io/files.ts';
