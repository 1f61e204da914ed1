'use client';

import type { Umap } from '@twinnet/core';
import {
  extent,
  type Quadtree,
  quadtree,
  scaleLinear,
  select,
  type ZoomTransform,
  zoom,
  zoomIdentity,
} from 'd3';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { type Embeddings, imageAt, loadEmbeddings, loadImages, loadUmap } from '../lib/client/run-data.ts';
import { classColor } from '../lib/colors.ts';
import { DigitImage } from './DigitImage.tsx';

const RADIUS = 2.2;
const NEIGHBOURS = 5;
/** How close (in screen pixels) the pointer must be to a point to hover it. */
const HOVER_PIXELS = 10;

interface Hover {
  index: number;
  /** Pointer position inside the plot, for placing the tooltip. */
  x: number;
  y: number;
}

/**
 * The test embeddings' UMAP layout on a canvas (thousands of points are too many for SVG): coloured by class,
 * zoom and pan with d3-zoom, a legend that hides classes, and a tooltip with the hovered image and its
 * nearest neighbours in the embedding space itself (not in the 2-D layout, which distorts distances).
 */
export function UmapScatter({
  run,
  classNames,
  heldOutClasses,
  validationClasses,
  metric,
}: {
  run: string;
  classNames: string[];
  heldOutClasses: number[];
  /** Classes also kept out of training, for the run's choices (transfer runs). */
  validationClasses: number[];
  /** How the run compares embeddings, so neighbours are the ones its matcher would find closest. */
  metric: NeighbourMetric;
}) {
  const [umap, setUmap] = useState<Umap>();
  const [embeddings, setEmbeddings] = useState<Embeddings>();
  const [images, setImages] = useState<Uint8Array>();
  const [error, setError] = useState<string>();
  const [hidden, setHidden] = useState<ReadonlySet<number>>(new Set());
  const [hover, setHover] = useState<Hover>();
  const [width, setWidth] = useState(0);
  const boxRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const transformRef = useRef<ZoomTransform>(zoomIdentity);
  const frameRef = useRef(0);

  useEffect(() => {
    const fail = (e: unknown) => setError((e as Error).message);
    loadUmap(run).then((u) => {
      setUmap(u);
      // Runs exported before umap.json carried the neighbour graph: find neighbours in every embedding.
      if (!u.neighbours) loadEmbeddings(run).then(setEmbeddings, fail);
    }, fail);
    loadImages(run).then(setImages, fail);
  }, [run]);

  useEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.floor(entry!.contentRect.width)));
    observer.observe(box);
    return () => observer.disconnect();
  }, []);
  const height = Math.round(Math.min(640, Math.max(320, width * 0.7)));

  // Base positions in CSS pixels at zoom 1; the zoom transform is applied when drawing.
  const layout = useMemo(() => {
    if (!umap || width === 0) return undefined;
    const xs = umap.coordinates.filter((_, i) => i % 2 === 0);
    const ys = umap.coordinates.filter((_, i) => i % 2 === 1);
    const [x0, x1] = extent(xs) as [number, number];
    const [y0, y1] = extent(ys) as [number, number];
    // Equal units on both axes, so the layout's shapes are not stretched.
    const pad = 16;
    const unit = Math.min((width - 2 * pad) / (x1 - x0 || 1), (height - 2 * pad) / (y1 - y0 || 1));
    const cx = (x0 + x1) / 2;
    const cy = (y0 + y1) / 2;
    const x = scaleLinear()
      .domain([cx - width / 2 / unit, cx + width / 2 / unit])
      .range([0, width]);
    const y = scaleLinear()
      .domain([cy - height / 2 / unit, cy + height / 2 / unit])
      .range([height, 0]);
    const px = new Float32Array(umap.count);
    const py = new Float32Array(umap.count);
    for (let i = 0; i < umap.count; i++) {
      px[i] = x(xs[i]!);
      py[i] = y(ys[i]!);
    }
    return { px, py, labels: umap.labels };
  }, [umap, width, height]);

  const tree = useMemo<Quadtree<number> | undefined>(() => {
    if (!layout) return undefined;
    const visible = layout.labels.flatMap((label, i) => (hidden.has(label) ? [] : [i]));
    return quadtree<number>()
      .x((i) => layout.px[i]!)
      .y((i) => layout.py[i]!)
      .addAll(visible);
  }, [layout, hidden]);

  const neighbours = useMemo(() => {
    if (!hover) return [];
    if (umap?.neighbours) return stored(umap.neighbours, hover.index, NEIGHBOURS);
    return embeddings ? nearest(embeddings, hover.index, NEIGHBOURS, metric) : [];
  }, [hover, umap, embeddings, metric]);

  const draw = useCallback(() => {
    const canvas = canvasRef.current;
    const context = canvas?.getContext('2d');
    if (!canvas || !context || !layout) return;
    const ratio = window.devicePixelRatio || 1;
    const t = transformRef.current;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    let drawn = 0;
    const byClass = new Map<number, number[]>();
    layout.labels.forEach((label, i) => {
      if (hidden.has(label)) return;
      const sx = t.applyX(layout.px[i]!);
      const sy = t.applyY(layout.py[i]!);
      if (sx < -RADIUS || sx > width + RADIUS || sy < -RADIUS || sy > height + RADIUS) return;
      const list = byClass.get(label) ?? [];
      if (list.length === 0) byClass.set(label, list);
      list.push(sx, sy);
    });
    context.globalAlpha = 0.75;
    for (const [label, points] of byClass) {
      context.fillStyle = classColor(label);
      context.beginPath();
      for (let k = 0; k < points.length; k += 2) {
        context.moveTo(points[k]! + RADIUS, points[k + 1]!);
        context.arc(points[k]!, points[k + 1]!, RADIUS, 0, 2 * Math.PI);
      }
      context.fill();
      drawn += points.length / 2;
    }
    context.globalAlpha = 1;
    const ring = (i: number, color: string, r: number) => {
      context.strokeStyle = color;
      context.lineWidth = 2;
      context.beginPath();
      context.arc(t.applyX(layout.px[i]!), t.applyY(layout.py[i]!), r, 0, 2 * Math.PI);
      context.stroke();
    };
    for (const n of neighbours) ring(n.index, '#555', RADIUS + 3);
    if (hover) ring(hover.index, '#000', RADIUS + 4);
    // What the browser tests count: the points actually drawn in the last frame.
    canvas.dataset.pointsDrawn = String(drawn);
  }, [layout, hidden, hover, neighbours, width, height]);

  const scheduleDraw = useCallback(() => {
    cancelAnimationFrame(frameRef.current);
    frameRef.current = requestAnimationFrame(draw);
  }, [draw]);

  useEffect(() => {
    scheduleDraw();
    return () => cancelAnimationFrame(frameRef.current);
  }, [scheduleDraw]);

  // d3-zoom owns wheel, drag and pinch on the canvas; it only moves the transform, React state is untouched.
  const zoomBehaviour = useMemo(
    () =>
      zoom<HTMLCanvasElement, unknown>()
        .scaleExtent([0.5, 40])
        .on('zoom', (event: { transform: ZoomTransform }) => {
          transformRef.current = event.transform;
          setHover(undefined);
        }),
    [],
  );
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !layout) return;
    zoomBehaviour.on('zoom.draw', scheduleDraw);
    select(canvas).call(zoomBehaviour);
    return () => {
      select(canvas).on('.zoom', null);
    };
  }, [zoomBehaviour, scheduleDraw, layout]);

  const resetZoom = () => {
    const canvas = canvasRef.current;
    if (canvas) select(canvas).call(zoomBehaviour.transform, zoomIdentity);
  };

  const hoverAt = (event: React.PointerEvent<HTMLCanvasElement>) => {
    if (!tree) return;
    const rect = event.currentTarget.getBoundingClientRect();
    const mx = event.clientX - rect.left;
    const my = event.clientY - rect.top;
    const t = transformRef.current;
    const index = tree.find(t.invertX(mx), t.invertY(my), HOVER_PIXELS / t.k);
    setHover(index === undefined ? undefined : { index, x: mx, y: my });
  };

  const toggle = (label: number) =>
    setHidden((old) => {
      const next = new Set(old);
      if (!next.delete(label)) next.add(label);
      return next;
    });

  const counts = useMemo(() => {
    const c = new Array<number>(classNames.length).fill(0);
    for (const label of umap?.labels ?? []) c[label] = (c[label] ?? 0) + 1;
    return c;
  }, [umap, classNames.length]);

  return (
    <div className="scatter">
      <fieldset className="legend" aria-label="Classes shown">
        {classNames.map((name, label) => (
          <button
            key={name}
            type="button"
            className="legend-item"
            aria-pressed={!hidden.has(label)}
            data-class={label}
            data-count={counts[label]}
            onClick={() => toggle(label)}
            title={hidden.has(label) ? `Show ${name}` : `Hide ${name}`}
          >
            <span className="swatch" style={{ background: classColor(label) }} />
            {name}
            {heldOutClasses.includes(label) && <span className="badge">unseen</span>}
            {validationClasses.includes(label) && (
              <span className="badge" title="never trained on; the run's choices were made on it">
                val
              </span>
            )}
            <span className="muted">{counts[label]}</span>
          </button>
        ))}
        <button type="button" className="legend-reset" onClick={() => setHidden(new Set())}>
          all
        </button>
        <button type="button" className="legend-reset" onClick={resetZoom}>
          reset zoom
        </button>
      </fieldset>
      <div ref={boxRef} className="scatter-box" style={{ height }}>
        {error && <p className="error">Could not load the embedding: {error}</p>}
        {!error && !layout && <p className="muted">Loading {run}'s embedding…</p>}
        <canvas
          ref={canvasRef}
          data-testid="umap-canvas"
          data-points={umap?.count}
          width={Math.round(width * (typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1))}
          height={Math.round(height * (typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1))}
          style={{ width, height }}
          aria-label={`UMAP of ${umap?.count ?? 0} test embeddings`}
          // While a drag pans the view the tooltip would only flicker; a tap (touch) shows it.
          onPointerMove={(event) => event.buttons === 0 && hoverAt(event)}
          onPointerDown={hoverAt}
          onPointerLeave={() => setHover(undefined)}
        />
        {hover && umap && (
          <Tooltip
            hover={hover}
            label={umap.labels[hover.index]!}
            classNames={classNames}
            images={images}
            neighbours={neighbours}
            labels={umap.labels}
            metric={umap?.neighbours?.metric ?? metric}
            width={width}
            height={height}
          />
        )}
      </div>
      <p className="muted small">
        {umap ? `${umap.count.toLocaleString('en')} test images` : ''} · UMAP (n_neighbors {umap?.nNeighbors},
        min_dist {umap?.minDist}) of the tower's embeddings. Scroll or pinch to zoom, drag to pan, hover (or
        tap) a point to see its image and its nearest neighbours in embedding space.
      </p>
    </div>
  );
}

function Tooltip({
  hover,
  label,
  classNames,
  images,
  neighbours,
  labels,
  metric,
  width,
  height,
}: {
  hover: Hover;
  label: number;
  classNames: string[];
  images: Uint8Array | undefined;
  neighbours: Neighbour[];
  labels: number[];
  metric: NeighbourMetric;
  width: number;
  height: number;
}) {
  const w = 236;
  const h = 150;
  const left = Math.max(0, Math.min(width - w, hover.x + 14));
  const top = hover.y + 14 + h > height ? Math.max(0, hover.y - h - 14) : hover.y + 14;
  return (
    <div className="tooltip" data-testid="umap-tooltip" style={{ left, top, width: w }}>
      <div className="tooltip-main">
        {images ? (
          <DigitImage pixels={imageAt(images, hover.index)} size={72} label={`test image ${hover.index}`} />
        ) : (
          <span className="muted">loading image…</span>
        )}
        <div>
          <strong style={{ color: classColor(label) }}>{classNames[label]}</strong>
          <div className="muted small">test image #{hover.index}</div>
        </div>
      </div>
      <div className="muted small">
        nearest in embedding space ({metric === 'cosine' ? 'cosine similarity' : 'Euclidean distance'})
      </div>
      <div className="tooltip-neighbours">
        {neighbours.map((n) => (
          <figure key={n.index}>
            {images && (
              <DigitImage pixels={imageAt(images, n.index)} size={36} label={`neighbour ${n.index}`} />
            )}
            <figcaption style={{ color: classColor(labels[n.index]!) }}>
              {classNames[labels[n.index]!]}
              <br />
              <span className="muted" data-testid="neighbour-value">
                {n.value.toFixed(2)}
              </span>
            </figcaption>
          </figure>
        ))}
      </div>
    </div>
  );
}

/** Euclidean distance, or (cosine-head runs) cosine similarity: what the run's matcher compares by. */
export type NeighbourMetric = 'euclidean' | 'cosine';

interface Neighbour {
  index: number;
  /** Distance, or cosine similarity. */
  value: number;
}

/** Point i's first k neighbours from the run's exported neighbour graph (nearest first). */
function stored(graph: NonNullable<Umap['neighbours']>, i: number, k: number): Neighbour[] {
  const take = Math.min(k, graph.k);
  return Array.from({ length: take }, (_, r) => ({
    index: graph.indices[i * graph.k + r]!,
    value: graph.values[i * graph.k + r]!,
  }));
}

/**
 * The k nearest other points to point i: by Euclidean distance, or by cosine similarity (highest first). A
 * linear scan: 5,000 × dim is instant.
 */
function nearest({ header, values }: Embeddings, i: number, k: number, metric: NeighbourMetric): Neighbour[] {
  const { dim, count } = header;
  const norm = (j: number) => {
    let s = 0;
    for (let c = 0; c < dim; c++) s += values[j * dim + c]! ** 2;
    return Math.sqrt(s) || 1;
  };
  const ni = metric === 'cosine' ? norm(i) : 1;
  // Lower is nearer: the squared distance, or minus the cosine similarity.
  const cost = (j: number) => {
    let d = 0;
    if (metric === 'cosine') {
      for (let c = 0; c < dim; c++) d += values[i * dim + c]! * values[j * dim + c]!;
      return -d / (ni * norm(j));
    }
    for (let c = 0; c < dim; c++) d += (values[i * dim + c]! - values[j * dim + c]!) ** 2;
    return d;
  };
  const best: { index: number; cost: number }[] = [];
  for (let j = 0; j < count; j++) {
    if (j === i) continue;
    const d = cost(j);
    if (best.length < k || d < best[best.length - 1]!.cost) {
      best.push({ index: j, cost: d });
      best.sort((a, b) => a.cost - b.cost);
      if (best.length > k) best.pop();
    }
  }
  return best.map((b) => ({ index: b.index, value: metric === 'cosine' ? -b.cost : Math.sqrt(b.cost) }));
}
