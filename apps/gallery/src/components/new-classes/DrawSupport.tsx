'use client';

import { useState } from 'react';
import type { Drawing } from '../../lib/client/query.ts';
import type { Support } from '../../lib/client/use-new-classes.ts';
import { DrawPad } from '../DrawPad.tsx';

/** A pad and a name: the drawing becomes the example of a class of that name (a new one, or a replacement). */
export function DrawSupport({
  nextName,
  suggestions,
  prepare,
  onAdd,
}: {
  /** The name used when none is typed. */
  nextName: string;
  /** Names offered while typing: the classes the run never trained on. */
  suggestions: readonly string[];
  /** The drawing in dataset form, or why it cannot be used. */
  prepare: (drawing: Drawing) => { pixels: Uint8Array } | { error: string };
  onAdd: (support: Support) => void;
}) {
  const [drawing, setDrawing] = useState<Drawing>();
  const [padKey, setPadKey] = useState(0);
  const [newName, setNewName] = useState('');
  const [error, setError] = useState<string>();
  const name = newName.trim() || nextName;

  const add = () => {
    if (!drawing) return;
    const prepared = prepare(drawing);
    if ('error' in prepared) {
      setError(prepared.error);
      return;
    }
    setError(undefined);
    onAdd({ name, pixels: prepared.pixels, origin: 'drawn' });
    setDrawing(undefined);
    setNewName('');
    setPadKey((k) => k + 1);
  };

  return (
    <div className="draw-support">
      <DrawPad
        key={padKey}
        label="Draw a new class's example"
        testId="support-pad"
        onStroke={setDrawing}
        onClear={() => setDrawing(undefined)}
      />
      <div className="draw-support-form">
        <label>
          class name{' '}
          <input
            value={newName}
            placeholder={nextName}
            maxLength={24}
            onChange={(e) => setNewName(e.target.value)}
            list="class-names"
          />
        </label>
        <datalist id="class-names">
          {suggestions.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
        <button type="button" disabled={!drawing} onClick={add} data-testid="add-drawn-support">
          Use drawing as “{name}”
        </button>
        <p className="muted small">
          Draw a letter, a shape, anything: a name already in the set replaces that class's example.
        </p>
        {error && <p className="error">{error}</p>}
      </div>
    </div>
  );
}
