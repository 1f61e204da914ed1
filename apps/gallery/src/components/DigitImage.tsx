'use client';

import { useEffect, useRef } from 'react';
import { IMAGE_SIZE, PIXELS } from '../lib/image-size.ts';

/** A 28×28 grey image (bright figure on dark, as the model sees it), scaled up with crisp pixels. */
export function DigitImage({
  pixels,
  size = 56,
  label,
  className,
}: {
  pixels: Uint8Array;
  size?: number;
  label: string;
  className?: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const context = ref.current?.getContext('2d');
    if (context) context.putImageData(toImageData(pixels), 0, 0);
  }, [pixels]);
  return (
    <canvas
      ref={ref}
      width={IMAGE_SIZE}
      height={IMAGE_SIZE}
      className={`digit${className ? ` ${className}` : ''}`}
      style={{ width: size, height: size }}
      role="img"
      aria-label={label}
    />
  );
}

export function toImageData(pixels: Uint8Array): ImageData {
  const data = new ImageData(IMAGE_SIZE, IMAGE_SIZE);
  for (let i = 0; i < PIXELS; i++) {
    const v = pixels[i] ?? 0;
    data.data[4 * i] = v;
    data.data[4 * i + 1] = v;
    data.data[4 * i + 2] = v;
    data.data[4 * i + 3] = 255;
  }
  return data;
}
