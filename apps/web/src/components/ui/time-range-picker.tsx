import { useId, useState, type FormEvent } from 'react';
import {
  absoluteRange,
  fromLocalInputValue,
  PRESET_LABELS,
  RANGE_PRESETS,
  resolveRange,
  toLocalInputValue,
  type RangeSelection,
} from '../../lib/time-range.ts';

const SHORT_LABELS = { '1h': '1 h', '24h': '24 h', '7d': '7 d', '30d': '30 d' } as const;

/** Last 1 h / 24 h / 7 d / 30 d, or an absolute range typed in local time. */
export function TimeRangePicker({
  value,
  onChange,
}: {
  value: RangeSelection;
  onChange: (selection: RangeSelection) => void;
}) {
  const [customOpen, setCustomOpen] = useState(value.kind === 'absolute');
  const groupId = useId();
  return (
    <div className="range-picker">
      <div className="segmented" role="group" aria-labelledby={groupId}>
        <span id={groupId} className="visually-hidden">
          Time range
        </span>
        {RANGE_PRESETS.map((preset) => (
          <button
            key={preset}
            type="button"
            className="button"
            aria-pressed={value.kind === 'preset' && value.preset === preset}
            onClick={() => {
              setCustomOpen(false);
              onChange({ kind: 'preset', preset });
            }}
          >
            {/* The name starts with what is shown, so "click 24h" works by voice (WCAG 2.5.3). */}
            {SHORT_LABELS[preset]}
            <span className="visually-hidden">, {PRESET_LABELS[preset].toLowerCase()}</span>
          </button>
        ))}
        <button
          type="button"
          className="button"
          aria-pressed={value.kind === 'absolute' || customOpen}
          aria-expanded={customOpen}
          onClick={() => setCustomOpen((open) => !open)}
        >
          Custom
        </button>
      </div>
      {customOpen && <AbsoluteRangeForm value={value} onChange={onChange} />}
    </div>
  );
}

function AbsoluteRangeForm({
  value,
  onChange,
}: {
  value: RangeSelection;
  onChange: (selection: RangeSelection) => void;
}) {
  const initial = resolveRange(value, new Date());
  const [from, setFrom] = useState(toLocalInputValue(initial.from));
  const [to, setTo] = useState(toLocalInputValue(initial.to));
  const [error, setError] = useState<string | null>(null);
  const errorId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const fromMs = fromLocalInputValue(from);
    const toMs = fromLocalInputValue(to);
    const selection =
      fromMs !== undefined && toMs !== undefined && fromMs < toMs ? absoluteRange(fromMs, toMs) : undefined;
    if (!selection) {
      setError('Pick a start before the end, at most 400 days apart.');
      return;
    }
    setError(null);
    onChange(selection);
  };

  return (
    <form onSubmit={submit} aria-label="Custom time range">
      <label className="field">
        <span>From</span>
        <input
          className="input"
          type="datetime-local"
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          aria-describedby={error ? errorId : undefined}
          required
        />
      </label>
      <label className="field">
        <span>To</span>
        <input
          className="input"
          type="datetime-local"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          aria-describedby={error ? errorId : undefined}
          required
        />
      </label>
      <button type="submit" className="button" data-variant="primary">
        Apply
      </button>
      {error && (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
