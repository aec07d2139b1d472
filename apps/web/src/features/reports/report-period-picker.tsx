import { useId, useState, type FormEvent } from 'react';
import {
  PERIOD_LABELS,
  REPORT_PERIODS,
  resolvePeriod,
  toDayValue,
  type ReportPeriodSelection,
} from './report-search.ts';

const SHORT_LABELS = {
  '7d': '7 d',
  '30d': '30 d',
  '90d': '90 d',
  month: 'Month',
  'last-month': 'Last month',
} as const;

/** Last 7 / 30 / 90 days, this month, last month, or whole days picked on a calendar. */
export function ReportPeriodPicker({
  value,
  onChange,
}: {
  value: ReportPeriodSelection;
  onChange: (selection: ReportPeriodSelection) => void;
}) {
  const [customOpen, setCustomOpen] = useState(value.kind === 'days');
  const groupId = useId();
  return (
    <div className="range-picker">
      <div className="segmented" role="group" aria-labelledby={groupId}>
        <span id={groupId} className="visually-hidden">
          Report period
        </span>
        {REPORT_PERIODS.map((period) => (
          <button
            key={period}
            type="button"
            className="button"
            aria-pressed={value.kind === 'preset' && value.period === period}
            onClick={() => {
              setCustomOpen(false);
              onChange({ kind: 'preset', period });
            }}
          >
            {SHORT_LABELS[period]}
            <span className="visually-hidden">, {PERIOD_LABELS[period].toLowerCase()}</span>
          </button>
        ))}
        <button
          type="button"
          className="button"
          aria-pressed={value.kind === 'days' || customOpen}
          aria-expanded={customOpen}
          onClick={() => setCustomOpen((open) => !open)}
        >
          Custom
        </button>
      </div>
      {customOpen && <DaysForm value={value} onChange={onChange} />}
    </div>
  );
}

function DaysForm({
  value,
  onChange,
}: {
  value: ReportPeriodSelection;
  onChange: (selection: ReportPeriodSelection) => void;
}) {
  const [from, setFrom] = useState(() => daysOf(value).from);
  const [to, setTo] = useState(() => daysOf(value).to);
  const [error, setError] = useState<string | null>(null);
  const errorId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const selection: ReportPeriodSelection = { kind: 'days', from, to };
    if (from > to || !resolvePeriod(selection, new Date())) {
      setError('Pick a first day on or before the last, at most 400 days apart.');
      return;
    }
    setError(null);
    onChange(selection);
  };

  return (
    <form onSubmit={submit} aria-label="Custom report period">
      <label className="field">
        <span>First day</span>
        <input
          className="input"
          type="date"
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          aria-describedby={error ? errorId : undefined}
          required
        />
      </label>
      <label className="field">
        <span>Last day</span>
        <input
          className="input"
          type="date"
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

/** The first and last day a period covers, to start the form from. */
function daysOf(value: ReportPeriodSelection): { from: string; to: string } {
  if (value.kind === 'days') return { from: value.from, to: value.to };
  const now = Date.now();
  const range = resolvePeriod(value, new Date(now)) ?? { from: now, to: now + 1 };
  return { from: toDayValue(range.from), to: toDayValue(range.to - 1) };
}
