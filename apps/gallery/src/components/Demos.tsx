'use client';

import dynamic from 'next/dynamic';

/**
 * The demos with everything they need (tfjs, the model code) in a chunk of their own, so the page itself
 * renders at once and the model loads after it.
 */
export const Demos = dynamic(() => import('./DemoPanels.tsx').then((m) => m.DemoPanels), {
  ssr: false,
  loading: () => (
    <p className="muted" data-testid="model-loading">
      Loading the model…
    </p>
  ),
});
