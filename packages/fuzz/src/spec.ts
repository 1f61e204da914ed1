import type { Arbitrary } from 'fast-check';

/**
 * What one kind of user input is fuzzed with: the module that exports it (as its default) is loaded inside the
 * harness's worker thread, so the generator and the target live there, not in the caller.
 */
export interface FuzzSpec<T> {
  /** The input kind, for reports: 'PNG', 'IDX', 'state.json'. */
  kind: string;
  /** Generated inputs: valid ones, and valid ones damaged in the ways files get damaged. */
  arbitrary: Arbitrary<T>;
  /** Runs the code a user's file goes through: returns for a result, throws for a refusal. */
  run: (input: T) => void | Promise<void>;
  /**
   * Whether a thrown error is a proper refusal: the error the code means to throw, whose message names the file
   * (or, where the layer above adds the file, says what is wrong in the app's own words). Anything else, such
   * as a TypeError from inside a library, is a crash.
   */
  isRefusal: (error: unknown) => boolean;
  /** A short description of an input for a report (its size and first bytes, say). */
  describe?: (input: T) => string;
}

/** Counts of one run over a kind's generated inputs. */
export interface FuzzReport {
  kind: string;
  seed: number;
  cases: number;
  results: number;
  refusals: number;
  /** Inputs that crashed: a thrown error that is not a refusal. */
  crashCount: number;
  /** The first crashes, with fast-check's path to replay each (with the same seed). */
  crashes: { path: string; error: string; input: string }[];
  /** A case that outlived the time bound (the worker was stopped there), or the worker's own failure. */
  hang?: { path: string; seconds: number };
  workerError?: string;
  seconds: number;
}

/** What the worker sends back. */
export type WorkerReply = { type: 'done'; report: FuzzReport } | { type: 'error'; message: string };
