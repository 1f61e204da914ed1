'use client';

// The new-class demo's state: the support set (kept when the demo switches models: supports are images, any run
// of the dataset embeds them), the test images offered as examples and queries, and the answer to the query.
import type { Matcher } from '@twinnet/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { type Outcome, type Query, queryPixels } from './query.ts';
import { examplesOf, type Supported, useSupports } from './use-run-model.ts';

export interface Support {
  name: string;
  /** 784 bytes in dataset form; the matcher embeds them. */
  pixels: Uint8Array;
  /** Where the example came from, for its caption: "test image #123" (index in the test split) or "drawn". */
  origin: string;
}

export interface SupportSet {
  supports: Support[];
  /** Adds a class, or replaces the example of a class of that name. */
  setSupport(support: Support): void;
  remove(name: string): void;
  /** The name a drawn class gets when the user gives none. */
  nextName: string;
}

export function useSupportSet(): SupportSet {
  const [supports, setSupports] = useState<Support[]>([]);
  const setSupport = useCallback((support: Support) => {
    setSupports((old) => {
      const at = old.findIndex((s) => s.name === support.name);
      return at < 0 ? [...old, support] : old.map((s, k) => (k === at ? support : s));
    });
  }, []);
  const remove = useCallback((name: string) => setSupports((old) => old.filter((s) => s.name !== name)), []);
  return { supports, setSupport, remove, nextName: nextLetter(supports) };
}

/** The first capital letter not yet used as a class name. */
export function nextLetter(supports: readonly Support[]): string {
  for (let c = 65; c <= 90; c++) {
    const letter = String.fromCharCode(c);
    if (!supports.some((s) => s.name === letter)) return letter;
  }
  return `class ${supports.length + 1}`;
}

const CANDIDATES = 6;
const QUERY_CANDIDATES = 10;

export interface Candidates {
  /** A few test images (indices into the run's embedded images) of each class, to pick a support from. */
  byClass: { label: number; indices: number[] }[];
  /** Test images of those classes to pick a query from. */
  queries: number[];
  /** Offers other images. */
  more(): void;
}

/** Test images of `classes` (the classes the run never trained on) to offer as supports and queries. */
export function useCandidates(labels: readonly number[], classes: readonly number[]): Candidates {
  const [offset, setOffset] = useState(0);
  const byClass = useMemo(
    () => classes.map((label) => ({ label, indices: examplesOf(labels, label, CANDIDATES, offset) })),
    [classes, labels, offset],
  );
  const queries = useMemo(() => {
    const pool = labels.flatMap((label, i) => (classes.includes(label) ? [i] : []));
    const step = Math.max(1, Math.floor(pool.length / QUERY_CANDIDATES));
    return Array.from(
      { length: Math.min(QUERY_CANDIDATES, pool.length) },
      (_, k) => pool[(k * step + offset * 7) % pool.length]!,
    );
  }, [classes, labels, offset]);
  const more = useCallback(() => setOffset((o) => o + CANDIDATES * 13 + 1), []);
  return { byClass, queries, more };
}

/**
 * The matcher with exactly these supports, and its answer to the query: changing the supports (or the matcher)
 * re-answers the last query.
 */
export function useNewClassAnswer(
  matcher: Matcher,
  supports: readonly Support[],
  query: Query | undefined,
): { added: Supported; outcome?: Outcome } {
  const entries = useMemo(() => supports.map((s) => ({ label: s.name, pixels: s.pixels })), [supports]);
  const added = useSupports(matcher, entries);
  const [outcome, setOutcome] = useState<Outcome>();
  useEffect(() => {
    setOutcome(query && entries.length > 0 ? added.ask(query) : undefined);
  }, [query, entries, added]);
  return { added, outcome };
}

/** A drawing in dataset form, or why it cannot be a support (no figure in it). */
export function drawnPixels(matcher: Matcher, query: Query): { pixels: Uint8Array } | { error: string } {
  try {
    return { pixels: queryPixels(matcher, query) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}
