// The dataset registry, from @twinnet/datasets' browser-safe entry: names, class names, framing, checksums.
import { DATASET_NAMES } from '@twinnet/datasets/specs';

export { DATASET_NAMES, type DatasetSpec, datasetSpec } from '@twinnet/datasets/specs';

/** The registered dataset names, as z.enum takes them. */
export function datasetNames(): [string, ...string[]] {
  return [...DATASET_NAMES] as [string, ...string[]];
}
