// @twinnet/core's IMAGE_SIZE and PIXELS, repeated here: importing core loads all of tfjs (a megabyte), which
// the pages that only show images must not pay for. The model code imports core's own.
export const IMAGE_SIZE = 28;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
