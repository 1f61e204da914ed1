// The matcher for Node users: the same class, with local paths read and written through nodeIo by default, so
// Matcher.load('artifacts/run') and saveSupports('gallery.json') work as they did. Exported by
// '@twinnet/core/node' as Matcher; the browser entry point never imports it.
import type * as tf from '@tensorflow/tfjs';
import { nodeIo } from '../io/node-io.ts';
import type { ResourceIo } from '../io/resource.ts';
import { Matcher as BaseMatcher, type LoadOptions, type MatcherSource } from './matcher.ts';

export class Matcher extends BaseMatcher {
  /** Loads a run from a local path (or a URL); see the base Matcher.load. */
  static override load(location: string, options: LoadOptions = {}): Promise<BaseMatcher> {
    return BaseMatcher.load(location, { ...options, io: options.io ?? nodeIo });
  }

  static override fromModel(
    tower: tf.LayersModel,
    source: MatcherSource,
    options: { io?: ResourceIo } = {},
  ): Promise<BaseMatcher> {
    return BaseMatcher.fromModel(tower, source, { io: options.io ?? nodeIo });
  }
}
