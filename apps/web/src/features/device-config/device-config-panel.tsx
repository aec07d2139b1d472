import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ConfigState, DeviceConfig } from '@tierscope/shared/schemas';
import { useState, type FormEvent } from 'react';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { formatAgo, formatTimestamp } from '../../lib/format.ts';
import { useRefetchInterval } from '../../lib/refresh-interval.tsx';
import { useRoleAllows } from '../../lib/session.ts';
import { api } from '../../lib/trpc.ts';
import { useNow } from '../../lib/use-now.ts';
import { configDiffLines } from './config-diff-lines.ts';
import { configDraftInput, configText } from './config-draft.ts';
import { deviceConfigQueryOptions } from './device-config-queries.ts';

const STATE_TEXT: Record<ConfigState, string> = {
  in_sync: 'In sync',
  pending: 'Pending',
  drifted: 'Drifted',
};
const STATE_TONE: Record<ConfigState, string> = { in_sync: 'ok', pending: 'warn', drifted: 'bad' };

/**
 * A device's configuration (docs/decisions/0034): the desired document and version, what the
 * device reported, the state and what differs; an operator sets a new version here.
 */
export function DeviceConfigPanel({ nodePath, deviceId }: { nodePath: string; deviceId: string }) {
  const query = useQuery({
    ...deviceConfigQueryOptions(nodePath, deviceId),
    refetchInterval: useRefetchInterval(),
  });
  const canSet = useRoleAllows('operator');
  return (
    <FanOutPanel
      title="Configuration"
      query={query}
      testId="device-config-panel"
      isEmpty={query.data?.desired === null && !canSet}
      emptyTitle="No configuration set"
      emptyText="An operator can set one for this device."
    >
      {query.data && <ConfigFacts config={query.data} />}
      {query.data && canSet && <SetConfigForm config={query.data} />}
    </FanOutPanel>
  );
}

function ConfigFacts({ config }: { config: DeviceConfig }) {
  const now = useNow(5000);
  const { desired, reported, state, diff } = config;
  if (!desired) return <p className="muted">No configuration has been set for this device.</p>;
  return (
    <>
      <dl className="facts">
        <div>
          <dt>State</dt>
          <dd>
            {state && (
              <span className="pill" data-tone={STATE_TONE[state]} data-testid="config-state">
                {STATE_TEXT[state]}
              </span>
            )}
            {state === 'pending' && (
              <small>waits up to {Math.round(config.graceMs / 1000)} s for the device</small>
            )}
          </dd>
        </div>
        <div>
          <dt>Desired</dt>
          <dd>
            version {desired.version}
            <small>
              by {desired.setBy}, {formatAgo(desired.setAt, now)} ({formatTimestamp(desired.setAt)})
            </small>
          </dd>
        </div>
        <div>
          <dt>Reported</dt>
          <dd>
            {reported ? `version ${reported.version}${reported.ok ? '' : ' — refused'}` : 'nothing yet'}
            {reported && (
              <small>
                {reported.error ? `${reported.error} · ` : ''}
                {formatAgo(reported.reportedAt, now)}
              </small>
            )}
          </dd>
        </div>
      </dl>
      {diff && diff.length > 0 && (
        <div className="diff" aria-label="What the device runs differently">
          <pre>
            {configDiffLines(diff).map((line, i) => (
              <span key={i} className="diff-line" data-kind={line.kind}>
                <span className="diff-mark">{line.kind === 'added' ? '+' : '−'}</span>
                {line.text}
              </span>
            ))}
          </pre>
        </div>
      )}
      <details>
        <summary>Desired document</summary>
        <pre className="mono">{configText(desired.config)}</pre>
      </details>
    </>
  );
}

function SetConfigForm({ config }: { config: DeviceConfig }) {
  const [text, setText] = useState(() => configText(config.desired?.config));
  const [problem, setProblem] = useState<string | null>(null);
  const queryClient = useQueryClient();
  const set = useMutation({
    mutationFn: (document: Record<string, unknown>) =>
      api.devices.setConfig.mutate({
        selector: { nodePath: config.nodePath, deviceIds: [config.deviceId] },
        config: document,
      }),
    onSuccess: () =>
      queryClient.invalidateQueries({
        queryKey: deviceConfigQueryOptions(config.nodePath, config.deviceId).queryKey,
      }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = configDraftInput(text);
    setProblem('problem' in checked ? checked.problem : null);
    if ('config' in checked) set.mutate(checked.config);
  };
  return (
    <form className="stack" aria-label="Set the configuration" onSubmit={submit} noValidate>
      <label className="field grow">
        <span>New configuration (JSON)</span>
        <textarea
          className="input mono"
          rows={6}
          spellCheck={false}
          autoCapitalize="off"
          value={text}
          aria-invalid={problem ? true : undefined}
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      {set.error && <ErrorNotice error={set.error} />}
      <div className="toolbar">
        <button type="submit" className="button" disabled={set.isPending}>
          {set.isPending ? 'Setting…' : `Set version ${(config.desired?.version ?? 0) + 1}`}
        </button>
      </div>
    </form>
  );
}
