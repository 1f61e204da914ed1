'use client';

import type { Polarity, PreprocessStyle } from '@twinnet/core';
import { useEffect, useState } from 'react';
import { warmUp } from './query.ts';
import { loadEmbeddings, loadImages } from './run-data.ts';
import { loadSiamese, type Siamese } from './siamese.ts';

export interface RunModel {
  siamese: Siamese;
  /** The embedded test images (count × 784) and their labels, to pick examples from. */
  images: Uint8Array;
  labels: number[];
}

/** The run's model and test images, loaded once per page however many demos use them. */
export function useRunModel(
  run: string,
  polarity: Polarity,
  style: PreprocessStyle,
): { model?: RunModel; error?: string } {
  const [state, setState] = useState<{ model?: RunModel; error?: string }>({});
  useEffect(() => {
    let live = true;
    Promise.all([loadSiamese(run, polarity), loadImages(run), loadEmbeddings(run)]).then(
      ([siamese, images, embeddings]) => {
        if (!live) return;
        warmUp(siamese, style);
        setState({ model: { siamese, images, labels: embeddings.header.labels } });
      },
      (error: unknown) => live && setState({ error: (error as Error).message }),
    );
    return () => {
      live = false;
    };
  }, [run, polarity, style]);
  return state;
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
