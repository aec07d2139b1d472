import type { Coverage } from '@tierscope/shared/domain';
import { summarizeCoverage } from '../../lib/coverage.ts';
import { formatAge } from '../../lib/format.ts';

const STATE_TEXT = {
  ok: 'answered',
  timeout: 'timed out',
  unreachable: 'unreachable',
  error: 'failed',
  forbidden: 'refused',
} as const;

/**
 * Which nodes an answer came from: "5 of 5 nodes", or "3 of 5 nodes; probe-c timed out, probe-d
 * unreachable" when partial. Opens to a table of every node asked, its state and latency.
 */
export function CoverageBadge({
  coverage,
  showLatency = true,
}: {
  coverage: Coverage;
  /** Off for coverage derived from heartbeats, which has no call latency to show. */
  showLatency?: boolean;
}) {
  const summary = summarizeCoverage(coverage);
  const state = summary.partial ? 'partial' : summary.complete ? 'complete' : 'cached';
  return (
    <details className="coverage" data-state={state} data-testid="coverage-badge">
      <summary aria-label={`Coverage: ${summary.label}`}>
        <span aria-hidden="true">{summary.partial ? '⚠' : '✓'}</span>
        <span>{summary.label}</span>
      </summary>
      <div className="coverage-details">
        <p>
          {summary.partial
            ? 'Incomplete: items from the nodes below are missing and totals are lower bounds.'
            : 'Every node asked answered.'}
        </p>
        <table>
          <caption className="visually-hidden">Nodes asked</caption>
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">State</th>
              {showLatency && (
                <th scope="col" className="num">
                  Latency
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {coverage.nodes.map((node) => (
              <tr key={node.path}>
                <td className="mono">{node.path}</td>
                <td>
                  {STATE_TEXT[node.state]}
                  {node.ageMs !== undefined && ` (data ${formatAge(node.ageMs)} old)`}
                </td>
                {showLatency && (
                  <td className="num">{node.state === 'ok' ? `${Math.round(node.latencyMs)} ms` : '—'}</td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
