'use client';

import { schemeDark2 } from 'd3';
import { useEffect, useMemo, useState } from 'react';
import { type Drawing, type Outcome, type Query, queryPixels } from '../lib/client/query.ts';
import { imageAt } from '../lib/client/run-data.ts';
import { examplesOf, type RunModel, useSupports } from '../lib/client/use-run-model.ts';
import { classColor } from '../lib/colors.ts';
import { DigitImage } from './DigitImage.tsx';
import { DrawPad } from './DrawPad.tsx';
import { Legend, ScoreRow } from './OneShotDemo.tsx';

interface Support {
  name: string;
  /** 784 bytes in dataset form; the matcher embeds them. */
  pixels: Uint8Array;
  /** Where the example came from, for its caption. */
  origin: string;
}

const CANDIDATES = 6;
const QUERY_CANDIDATES = 10;
/** Drawn classes get colours of their own, apart from the dataset's classes. */
const customColor = (k: number) => schemeDark2[Math.max(0, k) % schemeDark2.length]!;

/**
 * Classes the model never trained on, each given by one example: the held-out classes of a hold-out run
 * (picked from the test set or drawn), or symbols the user draws and names. A query, drawn or picked, goes to
 * the closest class, or to 'unknown' when no class is within the run's threshold.
 */
export function NewClassDemo({
  model,
  classNames,
  heldOutClasses,
}: {
  model: RunModel;
  classNames: string[];
  heldOutClasses: number[];
}) {
  const { newClasses: matcher, images, labels, backend } = model;
  const [supports, setSupports] = useState<Support[]>([]);
  const [offset, setOffset] = useState(0);
  const [supportDrawing, setSupportDrawing] = useState<Drawing>();
  const [padKey, setPadKey] = useState(0);
  const [newName, setNewName] = useState('');
  const [query, setQuery] = useState<Query>();
  const [picked, setPicked] = useState<number>();
  const [outcome, setOutcome] = useState<Outcome>();
  const [drawError, setDrawError] = useState<string>();

  const candidates = useMemo(
    () => heldOutClasses.map((label) => ({ label, indices: examplesOf(labels, label, CANDIDATES, offset) })),
    [heldOutClasses, labels, offset],
  );
  const queryCandidates = useMemo(() => {
    const pool = labels.flatMap((label, i) => (heldOutClasses.includes(label) ? [i] : []));
    const step = Math.max(1, Math.floor(pool.length / QUERY_CANDIDATES));
    return Array.from(
      { length: Math.min(QUERY_CANDIDATES, pool.length) },
      (_, k) => pool[(k * step + offset * 7) % pool.length]!,
    );
  }, [heldOutClasses, labels, offset]);

  const entries = useMemo(() => supports.map((s) => ({ label: s.name, pixels: s.pixels })), [supports]);
  const added = useSupports(matcher, entries);

  // Changing the supports re-answers the last query.
  useEffect(() => {
    setOutcome(query && entries.length > 0 ? added.ask(query) : undefined);
  }, [query, entries, added]);

  const setSupport = (name: string, pixels: Uint8Array, origin: string) => {
    const support = { name, pixels, origin };
    setSupports((old) => {
      const at = old.findIndex((s) => s.name === name);
      return at < 0 ? [...old, support] : old.map((s, k) => (k === at ? support : s));
    });
  };

  const drawnName = newName.trim() || nextLetter(supports);
  const addDrawing = () => {
    if (!supportDrawing) return;
    let pixels: Uint8Array;
    try {
      pixels = queryPixels(matcher, supportDrawing);
    } catch (error) {
      setDrawError((error as Error).message);
      return;
    }
    setDrawError(undefined);
    setSupport(drawnName, pixels, 'drawn');
    setSupportDrawing(undefined);
    setNewName('');
    setPadKey((k) => k + 1);
  };

  const colorOf = (name: string) => {
    const label = classNames.indexOf(name);
    if (label >= 0) return classColor(label);
    return customColor(supports.findIndex((s) => s.name === name));
  };
  const answer = outcome?.answer;
  const ranked = answer?.result.ranked ?? [];
  const winner = ranked[0];
  const pixelsOf = (name: string) => supports.find((s) => s.name === name)?.pixels ?? new Uint8Array(0);

  return (
    <div className="new-classes">
      <div className="step">
        <h3>1 · Give one example of each new class</h3>
        {candidates.length > 0 && (
          <>
            <p className="muted small">
              Pick one test image of each class this model never saw in training (or draw one below).
            </p>
            {candidates.map(({ label, indices }) => (
              <fieldset key={label} className="candidates" aria-label={`Examples of ${classNames[label]}`}>
                <span className="candidate-label" style={{ color: classColor(label) }}>
                  {classNames[label]}
                </span>
                {indices.map((i) => (
                  <button
                    key={i}
                    type="button"
                    className={`thumb${supports.find((s) => s.name === classNames[label])?.origin === `test image #${i}` ? ' chosen' : ''}`}
                    data-testid="support-candidate"
                    data-class={classNames[label]}
                    onClick={() => setSupport(classNames[label]!, imageAt(images, i), `test image #${i}`)}
                  >
                    <DigitImage
                      pixels={imageAt(images, i)}
                      size={40}
                      label={`${classNames[label]}, test image ${i}`}
                    />
                  </button>
                ))}
              </fieldset>
            ))}
            <button type="button" onClick={() => setOffset((o) => o + CANDIDATES * 13 + 1)}>
              Other images
            </button>
          </>
        )}
        <div className="draw-support">
          <DrawPad
            key={padKey}
            label="Draw a new class's example"
            testId="support-pad"
            onStroke={setSupportDrawing}
            onClear={() => setSupportDrawing(undefined)}
          />
          <div className="draw-support-form">
            <label>
              class name{' '}
              <input
                value={newName}
                placeholder={nextLetter(supports)}
                maxLength={24}
                onChange={(e) => setNewName(e.target.value)}
                list="class-names"
              />
            </label>
            <datalist id="class-names">
              {heldOutClasses.map((label) => (
                <option key={label} value={classNames[label]} />
              ))}
            </datalist>
            <button
              type="button"
              disabled={!supportDrawing}
              onClick={addDrawing}
              data-testid="add-drawn-support"
            >
              Use drawing as “{drawnName}”
            </button>
            <p className="muted small">
              Draw a letter, a shape, anything: a name already in the set replaces that class's example.
            </p>
            {drawError && <p className="error">{drawError}</p>}
          </div>
        </div>
        <ul className="supports" data-testid="supports" aria-label="Support set">
          {supports.map((s) => (
            <li key={s.name}>
              <DigitImage pixels={s.pixels} size={40} label={`support ${s.name}`} />
              <span style={{ color: colorOf(s.name) }}>{s.name}</span>
              <span className="muted small">{s.origin}</span>
              <button
                type="button"
                aria-label={`Remove ${s.name}`}
                onClick={() => setSupports((old) => old.filter((o) => o.name !== s.name))}
              >
                ×
              </button>
            </li>
          ))}
          {supports.length === 0 && <li className="muted">No supports yet.</li>}
        </ul>
      </div>
      <div className="step">
        <h3>2 · Ask a query</h3>
        <div className="demo">
          <div className="demo-input">
            <DrawPad
              label="Draw a query"
              testId="query-pad"
              onStroke={(drawing) => {
                setQuery(drawing);
                setPicked(undefined);
              }}
              onClear={() => setQuery(undefined)}
            />
            {queryCandidates.length > 0 && (
              <fieldset className="candidates" aria-label="Test images of unseen classes">
                <span className="muted small">or pick:</span>
                {queryCandidates.map((i) => (
                  <button
                    key={i}
                    type="button"
                    className={`thumb${picked === i ? ' chosen' : ''}`}
                    data-testid="query-candidate"
                    data-class={classNames[labels[i]!]}
                    onClick={() => {
                      setQuery(imageAt(images, i));
                      setPicked(i);
                    }}
                  >
                    <DigitImage pixels={imageAt(images, i)} size={40} label={`query: test image ${i}`} />
                  </button>
                ))}
              </fieldset>
            )}
          </div>
          <div
            className="demo-output"
            data-testid="newclass-result"
            data-winner={winner?.label}
            data-unknown={answer?.result.unknown}
            data-latency-ms={answer?.ms.toFixed(2)}
            data-answer={answer?.id}
          >
            {supports.length === 0 && <p className="muted">Give at least one support first.</p>}
            {added.error && <p className="error">{added.error}</p>}
            {outcome?.error && <p className="error">{outcome.error}</p>}
            {supports.length > 0 && !outcome && <p className="muted">Draw or pick a query.</p>}
            {answer && winner && (
              <>
                <div className="seen-as">
                  <DigitImage pixels={answer.pixels} size={56} label="the query as the model sees it" />
                  <p>
                    Closest class: <strong style={{ color: colorOf(winner.label) }}>{winner.label}</strong>
                    {answer.result.unknown && ', but not within the threshold: unknown'}{' '}
                    <span className="muted small">
                      ({answer.ms.toFixed(1)} ms on {backend})
                    </span>
                  </p>
                </div>
                <ol className="class-scores">
                  {ranked.map((d) => (
                    <ScoreRow
                      key={d.label}
                      testId="support-score"
                      name={d.label}
                      color={colorOf(d.label)}
                      pixels={pixelsOf(d.label)}
                      distance={d}
                      best={d === winner}
                      matcher={matcher}
                      ranked={ranked}
                    />
                  ))}
                </ol>
                <Legend matcher={matcher} what="each class's support, closest first" />
              </>
            )}
          </div>
        </div>
      </div>
    </div>
  );
}

/** The first capital letter not yet used as a class name. */
function nextLetter(supports: Support[]): string {
  for (let c = 65; c <= 90; c++) {
    const letter = String.fromCharCode(c);
    if (!supports.some((s) => s.name === letter)) return letter;
  }
  return `class ${supports.length + 1}`;
}
