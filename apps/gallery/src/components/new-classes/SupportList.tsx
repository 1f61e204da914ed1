import type { Support } from '../../lib/client/use-new-classes.ts';
import { DigitImage } from '../DigitImage.tsx';

/** The support set: one example per class, each removable. */
export function SupportList({
  supports,
  colorOf,
  onRemove,
}: {
  supports: readonly Support[];
  colorOf: (name: string) => string;
  onRemove: (name: string) => void;
}) {
  return (
    <ul className="supports" data-testid="supports" aria-label="Support set">
      {supports.map((s) => (
        <li key={s.name}>
          <DigitImage pixels={s.pixels} size={40} label={`support ${s.name}`} />
          <span style={{ color: colorOf(s.name) }}>{s.name}</span>
          <span className="muted small">{s.origin}</span>
          <button type="button" aria-label={`Remove ${s.name}`} onClick={() => onRemove(s.name)}>
            ×
          </button>
        </li>
      ))}
      {supports.length === 0 && <li className="muted">No supports yet.</li>}
    </ul>
  );
}
