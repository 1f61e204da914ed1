import { z } from 'zod';

/** public/data/index.json: which runs the sync step published, and which it refused and why. */
export const SiteIndexSchema = z.object({
  /** The artifacts directory the runs came from, for the empty-state message. */
  source: z.string(),
  runs: z.array(z.string()),
  skipped: z.array(z.object({ run: z.string(), reason: z.string() })),
});
export type SiteIndex = z.infer<typeof SiteIndexSchema>;
