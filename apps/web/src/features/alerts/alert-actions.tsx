import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Alert, Silence } from '@tierscope/shared/schemas';
import { useId, useState, type FormEvent } from 'react';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { api } from '../../lib/trpc.ts';
import { silenceListQueryOptions } from './alert-queries.ts';
import { useConfirmAlert } from './alert-stream.tsx';
import { isOpen } from './alert-store.ts';
import { canSilence, SILENCE_DURATIONS, silenceInputFor, type SilenceDuration } from './silence-input.ts';

type Mode = 'idle' | 'ack' | 'silence';

/**
 * Ack (with a note), unack and silence, inline under the alert so they work the same on a phone.
 * Each call goes to the alert's owner through the BFF; its answer updates the list at once, and
 * the stream confirms it to every other console.
 */
export function AlertActions({ alert, silence }: { alert: Alert; silence: Silence | undefined }) {
  const [mode, setMode] = useState<Mode>('idle');
  const confirm = useConfirmAlert();
  const queryClient = useQueryClient();
  const ref = { nodePath: alert.nodePath, id: alert.id };
  const label = alertLabel(alert);

  const ack = useMutation({
    mutationFn: (note: string) => api.alerts.ack.mutate({ ...ref, note }),
    onSuccess: (answer) => {
      confirm(answer);
      setMode('idle');
    },
  });
  const unack = useMutation({
    mutationFn: () => api.alerts.unack.mutate(ref),
    onSuccess: confirm,
  });
  const createSilence = useMutation({
    mutationFn: ({ duration, comment }: { duration: SilenceDuration; comment: string }) => {
      if (!canSilence(alert)) throw new Error('only an alert about a device can be silenced here');
      return api.silences.create.mutate(silenceInputFor(alert, duration, Date.now(), comment));
    },
    onSuccess: async () => {
      setMode('idle');
      await queryClient.invalidateQueries({ queryKey: silenceListQueryOptions().queryKey });
    },
  });
  const expireSilence = useMutation({
    mutationFn: (s: Silence) => api.silences.expire.mutate({ nodePath: s.nodePath, id: s.id }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: silenceListQueryOptions().queryKey }),
  });

  const toggle = (next: Mode) => {
    ack.reset();
    createSilence.reset();
    setMode((current) => (current === next ? 'idle' : next));
  };
  const failed = unack.error ?? expireSilence.error;

  return (
    <div className="alert-actions-area">
      <div className="alert-actions">
        {alert.ack ? (
          <button
            type="button"
            className="button"
            onClick={() => unack.mutate()}
            disabled={unack.isPending}
            aria-label={`Unack ${label}`}
          >
            {unack.isPending ? 'Unacking…' : 'Unack'}
          </button>
        ) : (
          isOpen(alert) && (
            <button
              type="button"
              className="button"
              data-variant={alert.severity === 'critical' ? 'primary' : undefined}
              aria-expanded={mode === 'ack'}
              aria-label={`Ack ${label}`}
              onClick={() => toggle('ack')}
            >
              Ack
            </button>
          )
        )}
        {silence ? (
          <button
            type="button"
            className="button"
            onClick={() => expireSilence.mutate(silence)}
            disabled={expireSilence.isPending}
            aria-label={`End the silence on ${label}`}
          >
            {expireSilence.isPending ? 'Ending…' : 'Unsilence'}
          </button>
        ) : (
          canSilence(alert) &&
          isOpen(alert) && (
            <button
              type="button"
              className="button"
              aria-expanded={mode === 'silence'}
              aria-label={`Silence ${label}`}
              onClick={() => toggle('silence')}
            >
              Silence…
            </button>
          )
        )}
      </div>
      {mode === 'ack' && (
        <AckForm
          label={label}
          pending={ack.isPending}
          error={ack.error}
          onSubmit={(note) => ack.mutate(note)}
          onCancel={() => setMode('idle')}
        />
      )}
      {mode === 'silence' && (
        <SilenceForm
          label={label}
          pending={createSilence.isPending}
          error={createSilence.error}
          onSubmit={(duration, comment) => createSilence.mutate({ duration, comment })}
          onCancel={() => setMode('idle')}
        />
      )}
      {failed && <ErrorNotice error={failed} />}
    </div>
  );
}

/** "Motor above 45 °C on sim-s01-pump-1": which alert a button acts on, for screen readers. */
export function alertLabel(alert: Alert): string {
  const subject = alert.deviceId ?? alert.subjectPath ?? alert.nodePath;
  return `${alert.ruleName} on ${subject}`;
}

function AckForm({
  label,
  pending,
  error,
  onSubmit,
  onCancel,
}: {
  label: string;
  pending: boolean;
  error: unknown;
  onSubmit: (note: string) => void;
  onCancel: () => void;
}) {
  const [note, setNote] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(note.trim());
  };
  return (
    <form className="alert-form" onSubmit={submit} aria-label={`Ack ${label}`}>
      <label className="field grow">
        <span>Note (optional)</span>
        <input
          className="input"
          value={note}
          maxLength={1000}
          placeholder="What you are doing about it"
          onChange={(e) => setNote(e.target.value)}
          // The form opened on purpose: typing the note is the next step.
          // eslint-disable-next-line jsx-a11y/no-autofocus
          autoFocus
        />
      </label>
      <div className="alert-form-buttons">
        <button type="submit" className="button" data-variant="primary" disabled={pending}>
          {pending ? 'Acking…' : 'Ack alert'}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {error !== null && error !== undefined && <ErrorNotice error={error} />}
    </form>
  );
}

function SilenceForm({
  label,
  pending,
  error,
  onSubmit,
  onCancel,
}: {
  label: string;
  pending: boolean;
  error: unknown;
  onSubmit: (duration: SilenceDuration, comment: string) => void;
  onCancel: () => void;
}) {
  const [comment, setComment] = useState('');
  const groupId = useId();
  return (
    <form className="alert-form" aria-label={`Silence ${label}`} onSubmit={(e) => e.preventDefault()}>
      <label className="field grow">
        <span>Comment (optional)</span>
        <input
          className="input"
          value={comment}
          maxLength={1000}
          placeholder="Why notifications can wait"
          onChange={(e) => setComment(e.target.value)}
        />
      </label>
      <div className="alert-form-buttons">
        <span id={groupId} className="alert-form-label">
          Silence notifications for
        </span>
        <div className="segmented" role="group" aria-labelledby={groupId}>
          {SILENCE_DURATIONS.map((duration) => (
            <button
              key={duration.ms}
              type="button"
              className="button"
              disabled={pending}
              onClick={() => onSubmit(duration, comment)}
            >
              {/* The name starts with what is shown, so it can be said by voice (WCAG 2.5.3). */}
              {duration.label}
              <span className="visually-hidden">, {duration.name}</span>
            </button>
          ))}
        </div>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {error !== null && error !== undefined && <ErrorNotice error={error} />}
    </form>
  );
}
