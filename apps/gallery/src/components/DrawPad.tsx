'use client';

import { useCallback, useEffect, useRef } from 'react';
import type { Drawing } from '../lib/client/query.ts';

/** The pad's own resolution; the CSS size may be smaller (phones), pointer positions are mapped onto it. */
const SIZE = 280;
/** A pen about as thick, relative to the figure, as MNIST's strokes. */
const PEN = 20;

/**
 * A square canvas to draw on with a mouse, a pen or a finger: dark ink on white, as people draw. The model's
 * preprocessing inverts and frames it. After every stroke, onStroke gets the drawing so far.
 */
export function DrawPad({
  label,
  onStroke,
  onClear,
  testId,
}: {
  label: string;
  onStroke: (drawing: Drawing) => void;
  onClear?: () => void;
  testId?: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const last = useRef<{ x: number; y: number } | undefined>(undefined);

  const context = () => ref.current?.getContext('2d') ?? undefined;

  const clear = useCallback(() => {
    const c = ref.current?.getContext('2d');
    if (!c) return;
    c.fillStyle = '#fff';
    c.fillRect(0, 0, SIZE, SIZE);
  }, []);
  useEffect(() => clear(), [clear]);

  // offsetX/Y and clientWidth/Height both leave out the border, so the mapping is exact.
  const at = (event: React.PointerEvent<HTMLCanvasElement>) => ({
    x: (event.nativeEvent.offsetX * SIZE) / event.currentTarget.clientWidth,
    y: (event.nativeEvent.offsetY * SIZE) / event.currentTarget.clientHeight,
  });

  const segment = (from: { x: number; y: number }, to: { x: number; y: number }) => {
    const c = context();
    if (!c) return;
    c.strokeStyle = '#111';
    c.lineWidth = PEN;
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.beginPath();
    c.moveTo(from.x, from.y);
    c.lineTo(to.x, to.y);
    c.stroke();
  };

  const end = () => {
    if (!last.current) return;
    last.current = undefined;
    if (ref.current) onStroke({ canvas: ref.current });
  };

  return (
    <div className="draw-pad">
      <canvas
        ref={ref}
        width={SIZE}
        height={SIZE}
        data-testid={testId}
        aria-label={label}
        onPointerDown={(event) => {
          event.currentTarget.setPointerCapture(event.pointerId);
          const p = at(event);
          last.current = p;
          segment(p, p);
        }}
        onPointerMove={(event) => {
          if (!last.current) return;
          const p = at(event);
          segment(last.current, p);
          last.current = p;
        }}
        onPointerUp={end}
        onPointerCancel={end}
      />
      <button
        type="button"
        onClick={() => {
          clear();
          onClear?.();
        }}
      >
        Clear
      </button>
    </div>
  );
}
