import { useQuery } from '@tanstack/react-query';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { ScrollTable } from '../../components/ui/scroll-table.tsx';
import { formatCount, formatTimestamp } from '../../lib/format.ts';
import { jobProgress } from './command-job-progress.ts';
import { COMMAND_POLL_MS, commandJobQueryOptions } from './command-queries.ts';
import { CommandStatePill } from './command-state.tsx';

/** Rows drawn at most; the counts above always cover every device. */
const MAX_ROWS = 500;
const OUTCOME_COLUMNS = [{ header: 'Node' }, { header: 'Device' }, { header: 'State' }, { header: 'Error' }];

/**
 * A bulk command as it runs: devices settled of those sent to, the outcomes so far, the nodes that
 * did not answer (named, never skipped), and each device's outcome as it comes in. Read every 2 s
 * while a command is open or a node is missing; the job `commandMany` answered is shown until then.
 */
export function CommandJobPanel({ jobId, onClose }: { jobId: string; onClose: () => void }) {
  const job = useQuery({
    ...commandJobQueryOptions(jobId),
    refetchInterval: (query) =>
      !query.state.data || jobProgress(query.state.data).open ? COMMAND_POLL_MS : false,
  });
  const progress = job.data && jobProgress(job.data);

  return (
    <FanOutPanel
      title="Bulk command"
      query={job}
      coverage={job.data?.coverage}
      summary={<span className="mono">{jobId}</span>}
      actions={
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
      }
      testId="command-job-panel"
    >
      {job.data && progress && (
        <div className="stack">
          <div className="stack">
            <p data-testid="job-progress">
              <strong>
                {formatCount(progress.done)} of {formatCount(progress.total)}
              </strong>{' '}
              devices settled
              {progress.unreachable.some((node) => node.devices > 0) ? ' or named unreachable' : ''}
              {progress.open ? ' · updating every 2 s' : ''}
            </p>
            <progress max={Math.max(progress.total, 1)} value={progress.done} aria-label="Devices settled" />
            <ul className="plain-list row-gap wrap" aria-label="Outcomes" data-testid="job-outcomes">
              {progress.outcomes.map(({ state, count }) => (
                <li key={state}>
                  <CommandStatePill state={state} /> {formatCount(count)}
                </li>
              ))}
              {progress.total - progress.done > 0 && (
                <li>{formatCount(progress.total - progress.done)} waiting</li>
              )}
            </ul>
          </div>
          {progress.unreachable.length > 0 && (
            <div className="notice" data-tone="warn" role="status">
              <div className="notice-body">
                <p className="notice-title">Not reached: their devices got no command from this job</p>
                <ul data-testid="job-unreachable">
                  {progress.unreachable.map((node) => (
                    <li key={node.path}>
                      <span className="mono">{node.path}</span>: {node.why} ·{' '}
                      {node.lastKnownAt === null
                        ? 'its devices are unknown here'
                        : `${formatCount(node.devices)} devices listed unreachable, as last known ${formatTimestamp(node.lastKnownAt)}`}
                    </li>
                  ))}
                </ul>
              </div>
            </div>
          )}
          {job.data.refused.length > 0 && (
            <p className="muted">
              {formatCount(job.data.refused.length)} selected devices refused it (first:{' '}
              <span className="mono">{job.data.refused[0]?.deviceId}</span>: {job.data.refused[0]?.message})
            </p>
          )}
          <ScrollTable label="Outcome per device" columns={OUTCOME_COLUMNS}>
            {job.data.items.slice(0, MAX_ROWS).map((item) => (
              <tr key={`${item.nodePath}/${item.deviceId}`} data-testid="job-item" data-state={item.state}>
                <td className="mono">{item.nodePath}</td>
                <td className="mono">{item.deviceId}</td>
                <td>
                  <CommandStatePill state={item.state} />
                </td>
                <td>{item.error ?? ''}</td>
              </tr>
            ))}
          </ScrollTable>
          {job.data.items.length > MAX_ROWS && (
            <p className="muted">
              Showing the first {MAX_ROWS} of {formatCount(job.data.items.length)} devices; the counts above
              cover all of them.
            </p>
          )}
        </div>
      )}
    </FanOutPanel>
  );
}
