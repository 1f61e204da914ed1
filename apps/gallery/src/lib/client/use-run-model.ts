'use client';

import type { BackendInfo, Matcher } from '@twinnet/core';
import { useEffect, useMemo, useState } from 'react';
import { ensureBackend, loadMatchers } from './matcher.ts';
import { ask, type Outcome, type Query, warmUp } from './query.ts';
import { loadEmbeddingsHeader, loadImages } from './run-data.ts';

export interface RunModel {
  /** The run it was loaded from. */
  run: string;
  /** The run's matcher, holding one demo's support set. */
  matcher: Matcher;
  backend: BackendInfo['name'];
  /** The embedded test images (count × 784), their labels and their indices in the test split. */
  images: Uint8Array;
  labels: number[];
  indices: number[];
}

/**
 * A matcher of the run and its test images, loaded when `run` changes and freed when it changes again or the
 * component unmounts. Each demo loads its own (a Matcher holds one support set); the files are fetched once.
 */
export function useRunModel(run: string): { model?: RunModel; error?: string } {
  const [state, setState] = useState<{ model?: RunModel; error?: string }>({});
  useEffect(() => {
    let live = true;
    setState({});
    const loading = Promise.all([
      ensureBackend(),
      loadMatchers(run, 1),
      loadImages(run),
      loadEmbeddingsHeader(run),
    ]);
    loading.then(
      ([info, [matcher], images, header]) => {
        if (!live) return;
        warmUp(matcher!);
        setState({
          model: {
            run,
            matcher: matcher!,
            backend: info.name,
            images,
            labels: header.labels,
            indices: header.indices,
          },
        });
      },
      (error: unknown) => live && setState({ error: (error as Error).message }),
    );
    return () => {
      live = false;
      loading.then(
        ([, matchers]) => {
          for (const m of matchers) m.dispose();
        },
        () => {},
      );
    };
  }, [run]);
  // A model of another run is never handed out, not even for the render before the effect clears it.
  return state.model && state.model.run !== run ? {} : state;
}

export interface SupportEntry {
  label: string;
  /** 784 bytes in dataset form. */
  pixels: Uint8Array;
}

/** The matcher with its supports made: `ask` answers against exactly these. */
export interface Supported {
  ask(query: Query): Outcome;
  /** Why an entry was refused (a reserved label, an image with no figure), if one was. */
  error?: string;
}

/**
 * Makes the matcher's supports exactly `entries` (re-embedding them: a handful of images) whenever the list
 * changes. A fresh object per change, so effects that re-answer the last query depend on it.
 */
export function useSupports(matcher: Matcher, entries: readonly SupportEntry[]): Supported {
  // In a memo, not an effect: the answer computed in the same render pass must see the new supports.
  return useMemo(() => {
    matcher.clear();
    const errors: string[] = [];
    for (const { label, pixels } of entries) {
      try {
        matcher.add(label, pixels);
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
    const answer = (query: Query) => ask(matcher, query);
    return errors.length ? { ask: answer, error: errors.join('; ') } : { ask: answer };
  }, [matcher, entries]);
}

/** Indices of the first `n` images of class `label` after a start offset, wrapping around. */
export function examplesOf(labels: readonly number[], label: number, n: number, start = 0): number[] {
  const found: number[] = [];
  for (let k = 0; k < labels.length && found.length < n; k++) {
    const i = (start + k) % labels.length;
    if (labels[i] === label) found.push(i);
  }
  return found;
}
