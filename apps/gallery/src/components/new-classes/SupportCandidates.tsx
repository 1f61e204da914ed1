'use client';

import { imageAt } from '../../lib/client/run-data.ts';
import type { Candidates, Support } from '../../lib/client/use-new-classes.ts';
import { classColor } from '../../lib/colors.ts';
import { DigitImage } from '../DigitImage.tsx';

/** A few test images of each class the run never trained on; a click makes one the class's support. */
export function SupportCandidates({
  candidates,
  classNames,
  validationClasses,
  images,
  testIndices,
  supports,
  onPick,
}: {
  candidates: Candidates;
  classNames: string[];
  /** The classes among them that the run used for its choices, marked as such. */
  validationClasses: readonly number[];
  images: Uint8Array;
  /** Each embedded image's index in the test split, for the support's caption. */
  testIndices: readonly number[];
  supports: readonly Support[];
  onPick: (support: Support) => void;
}) {
  if (candidates.byClass.length === 0) return null;
  return (
    <>
      <p className="muted small">
        Pick one test image of each class this model never saw in training (or draw one below).
      </p>
      {candidates.byClass.map(({ label, indices }) => {
        const name = classNames[label]!;
        const chosen = supports.find((s) => s.name === name)?.origin;
        return (
          <fieldset
            key={label}
            className="candidates"
            aria-label={`Examples of ${name}`}
            data-testid="support-candidates"
            data-class={name}
            data-validation={validationClasses.includes(label)}
          >
            <span className="candidate-label" style={{ color: classColor(label) }}>
              {name}
              {validationClasses.includes(label) && (
                <span
                  className="badge"
                  title="a validation class: never trained on, used for the run's choices"
                >
                  val
                </span>
              )}
            </span>
            {indices.map((i) => {
              const origin = `test image #${testIndices[i] ?? i}`;
              return (
                <button
                  key={i}
                  type="button"
                  className={`thumb${chosen === origin ? ' chosen' : ''}`}
                  data-testid="support-candidate"
                  data-class={name}
                  onClick={() => onPick({ name, pixels: imageAt(images, i), origin })}
                >
                  <DigitImage pixels={imageAt(images, i)} size={40} label={`${name}, ${origin}`} />
                </button>
              );
            })}
          </fieldset>
        );
      })}
      <button type="button" onClick={candidates.more}>
        Other images
      </button>
    </>
  );
}
