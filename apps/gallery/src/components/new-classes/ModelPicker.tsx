import Link from 'next/link';
import type { NewClassModel } from '../../lib/new-class-models.ts';
import { runPageUrl } from '../../lib/urls.ts';

/** Which run the new-class demo matches with; the first of `models` is the default. */
export function ModelPicker({
  models,
  value,
  pageRun,
  onChange,
}: {
  models: readonly NewClassModel[];
  value: string;
  /** The run whose page this is, named as such in the list. */
  pageRun: string;
  onChange: (run: string) => void;
}) {
  const chosen = models.find((m) => m.run === value);
  const notes = (m: NewClassModel) =>
    [m.run === models[0]?.run && 'default', m.run === pageRun && "this page's run"]
      .filter(Boolean)
      .join(', ');
  return (
    <div className="model-picker">
      <label>
        Model{' '}
        <select data-testid="newclass-model" value={value} onChange={(e) => onChange(e.target.value)}>
          {models.map((m) => (
            <option key={m.run} value={m.run}>
              {m.run}
              {notes(m) && ` (${notes(m)})`}
            </option>
          ))}
        </select>
      </label>
      {chosen && (
        <span className="muted small">
          <Link href={runPageUrl(chosen.run)}>{chosen.variant}</Link> variant, compares by {chosen.compares}.
          {models[0]?.variant === 'metric' &&
            ' The default is the transfer variant (metric), trained to embed classes it never saw.'}
        </span>
      )}
    </div>
  );
}
