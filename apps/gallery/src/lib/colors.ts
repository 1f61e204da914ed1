import { schemeTableau10 } from 'd3';

/** One colour per class, shared by the scatter, its legend and every other per-class mark. */
export const classColor = (label: number): string => schemeTableau10[label % schemeTableau10.length]!;
