import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  PERIOD_LABELS,
  REPORT_PERIODS,
  ReportGroupingName,
  type CreateReportScheduleInput,
  type ReportSchedule,
} from '@tierscope/shared/schemas';
import { useCallback, useId, useMemo, useState, type FormEvent } from 'react';
import { SelectField, TextField } from '../../components/ui/form-fields.tsx';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { api } from '../../lib/trpc.ts';
import { useModalDialog } from '../../lib/use-modal-dialog.ts';
import {
  emptyScheduleForm,
  formatRunTime,
  formOfSchedule,
  readScheduleForm,
  serverFieldErrors,
  upcomingRuns,
  type ScheduleForm,
  type ScheduleFormErrors,
} from './report-schedule-form.ts';
import { reportSchedulesQueryOptions } from './report-schedule-queries.ts';

const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;
const NEXT_RUNS_SHOWN = 3;

export interface ReportScheduleDialogProps {
  open: boolean;
  /** The schedule being edited; undefined for a new one. */
  schedule: ReportSchedule | undefined;
  /** Subtrees a report may cover. */
  nodePaths: readonly string[];
  onClose: () => void;
}

/** Creates or edits a scheduled report; the expression's next runs show as it is typed (croner, as the BFF reads it). */
export function ReportScheduleDialog({ open, schedule, nodePaths, onClose }: ReportScheduleDialogProps) {
  const titleId = useId();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<ScheduleForm>(() => emptyScheduleForm(BROWSER_ZONE));
  const [errors, setErrors] = useState<ScheduleFormErrors>({});
  // Next runs count from when the editor opened: rendering stays pure, and minutes do not matter here.
  const [openedAt, setOpenedAt] = useState(() => Date.now());
  const save = useMutation({
    mutationFn: (input: CreateReportScheduleInput) =>
      schedule
        ? api.console.reportSchedules.update.mutate({
            ...input,
            id: schedule.id,
            nodePath: input.nodePath ?? null,
          })
        : api.console.reportSchedules.create.mutate(input),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: reportSchedulesQueryOptions().queryKey });
      onClose();
    },
    // The form keeps everything typed; the server's reason goes beside the field it names.
    onError: (error) => setErrors((prev) => ({ ...prev, ...serverFieldErrors(error) })),
  });
  const { reset } = save;
  const dialogRef = useModalDialog(
    open,
    useCallback(() => {
      reset();
      setErrors({});
      setOpenedAt(Date.now());
      setForm(schedule ? formOfSchedule(schedule) : emptyScheduleForm(BROWSER_ZONE));
    }, [reset, schedule]),
  );
  const set =
    <K extends keyof ScheduleForm>(field: K) =>
    (value: ScheduleForm[K]) => {
      setForm((prev) => ({ ...prev, [field]: value }));
      setErrors(({ [field]: _fixed, ...rest }) => rest);
    };
  const runs = useMemo(
    () => upcomingRuns(form.cron, form.timeZone, openedAt, NEXT_RUNS_SHOWN),
    [form.cron, form.timeZone, openedAt],
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const reading = readScheduleForm(form);
    setErrors(reading.ok ? {} : reading.errors);
    if (reading.ok) save.mutate(reading.input);
  };
  const unplacedError = save.error && !serverFieldErrors(save.error) ? save.error : undefined;

  return (
    <dialog ref={dialogRef} className="dialog" aria-labelledby={titleId} onClose={onClose}>
      <form className="stack" onSubmit={submit} noValidate data-testid="report-schedule-form">
        <h2 id={titleId}>{schedule ? `Edit “${schedule.name}”` : 'New scheduled report'}</h2>
        <div className="form-grid">
          <TextField label="Name" value={form.name} error={errors.name} onChange={set('name')} grow />
          <TextField
            label="Cron expression"
            mono
            value={form.cron}
            error={errors.cron ?? ('error' in runs ? runs.error : undefined)}
            hint="minute hour day-of-month month day-of-week, e.g. 0 7 * * 1 (Mondays at 07:00)"
            onChange={set('cron')}
          />
          <TextField
            label="Time zone"
            value={form.timeZone}
            error={errors.timeZone}
            suggestions={ZONE_SUGGESTIONS}
            onChange={set('timeZone')}
          />
        </div>
        <div data-testid="next-runs" aria-live="polite">
          {'runs' in runs && (
            <>
              <span className="field-label">Next runs, {form.timeZone} time</span>
              <ul className="plain-list">
                {runs.runs.map((at) => (
                  <li key={at.getTime()}>{formatRunTime(at, form.timeZone)}</li>
                ))}
              </ul>
            </>
          )}
        </div>
        <TextField
          label="Recipients"
          multiline={2}
          value={form.recipients}
          error={errors.recipients}
          hint="Email addresses, separated by commas"
          onChange={set('recipients')}
        />
        <div className="form-grid">
          <SelectField
            label="Format"
            value={form.format}
            options={['pdf', 'csv'] as const}
            optionLabel={(format) => format.toUpperCase()}
            onChange={set('format')}
          />
          {form.format === 'pdf' && (
            <SelectField
              label="Paper"
              value={form.paper}
              options={['A4', 'Letter'] as const}
              onChange={set('paper')}
            />
          )}
          <SelectField
            label="Period"
            value={form.period}
            options={REPORT_PERIODS}
            optionLabel={(period) => PERIOD_LABELS[period]}
            onChange={set('period')}
          />
          <SelectField
            label="Grouping"
            value={form.grouping}
            options={ReportGroupingName.options}
            optionLabel={(grouping) => `By ${grouping}`}
            onChange={set('grouping')}
          />
          <SelectField
            label="Scope"
            value={form.nodePath}
            options={['', ...nodePaths]}
            optionLabel={(path) => (path === '' ? 'Everything the author sees' : `${path} and below`)}
            onChange={set('nodePath')}
          />
        </div>
        {unplacedError && <ErrorNotice error={unplacedError} />}
        <div className="row-gap wrap">
          <button type="submit" className="button" data-variant="primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : schedule ? 'Save schedule' : 'Create schedule'}
          </button>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}

const ZONE_SUGGESTIONS = [
  ...new Set([BROWSER_ZONE, 'UTC', 'Europe/Berlin', 'Europe/London', 'America/New_York', 'Asia/Tokyo']),
];
