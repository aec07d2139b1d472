import { useQuery } from '@tanstack/react-query';
import type { PreviewRuleInput, RulePreview } from '@tierscope/shared/schemas';
import { Link } from '@tanstack/react-router';
import { lazy, Suspense } from 'react';
import { CoverageBadge } from '../../../components/ui/coverage-badge.tsx';
import { ScrollTable } from '../../../components/ui/scroll-table.tsx';
import { ChartSkeleton, ErrorNotice, Skeleton } from '../../../components/ui/notices.tsx';
import { describeNodeAnswer, summarizeCoverage } from '../../../lib/coverage.ts';
import { formatCount } from '../../../lib/format.ts';
import { rulePreviewQueryOptions } from '../policy-queries.ts';

// ECharts loads with this chunk, once a preview has answered.
const PreviewTimelineChart = lazy(() =>
  import('./preview-timeline-chart.tsx').then((m) => ({ default: m.PreviewTimelineChart })),
);

const DEVICE_COLUMNS = [{ header: 'Device' }, { header: 'Node' }, { header: 'Fired', numeric: true }];

/**
 * What `input.rule` would have done over its window: counts, the devices it would have fired for,
 * its transitions on a timeline, the rows replayed, and which nodes did not answer and why.
 */
export function RulePreviewResult({ input, outdated }: { input: PreviewRuleInput; outdated: boolean }) {
  const query = useQuery(rulePreviewQueryOptions(input));
  return (
    <section className="rule-preview" aria-label={`Preview of ${input.rule.id}`} data-testid="rule-preview">
      {outdated && (
        <p className="field-hint" role="status">
          The rule changed since this preview: preview again to see the change.
        </p>
      )}
      {query.status === 'pending' && <Skeleton rows={3} label="the preview" />}
      {query.status === 'error' && <ErrorNotice error={query.error} onRetry={() => void query.refetch()} />}
      {query.data && <PreviewFigures preview={query.data} input={input} />}
    </section>
  );
}

function PreviewFigures({ preview, input }: { preview: RulePreview; input: PreviewRuleInput }) {
  const coverage = summarizeCoverage(preview.coverage);
  const partial = coverage.partial;
  return (
    <>
      <div className="row-gap wrap">
        <dl className="facts preview-counts" aria-label="Preview counts" data-testid="preview-counts">
          <div>
            <dt>Fired</dt>
            <dd data-testid="preview-fired">{formatCount(preview.fired, partial)}</dd>
          </div>
          <div>
            <dt>Flapping</dt>
            <dd data-testid="preview-flapping">{formatCount(preview.flapping, partial)}</dd>
          </div>
          <div>
            <dt>Resolved</dt>
            <dd data-testid="preview-resolved">{formatCount(preview.resolved, partial)}</dd>
          </div>
          <div>
            <dt>Rows replayed</dt>
            <dd>
              {formatCount(preview.replayed.samples + preview.replayed.events, partial)}
              <small>
                {formatCount(preview.replayed.samples)} samples · {formatCount(preview.replayed.events)}{' '}
                events
              </small>
            </dd>
          </div>
        </dl>
        <CoverageBadge coverage={preview.coverage} />
      </div>
      {partial && (
        <div className="notice" data-tone="warn" role="status" data-testid="preview-partial">
          <div className="notice-body">
            <p className="notice-title">Partial: these nodes did not answer, their devices are not counted</p>
            <ul>
              {preview.coverage.nodes
                .filter((n) => n.state !== 'ok')
                .map((n) => (
                  <li key={n.path}>
                    {describeNodeAnswer(n, n.path)}
                    {n.message && `: ${n.message}`}
                  </li>
                ))}
            </ul>
          </div>
        </div>
      )}
      {preview.timeline.length > 0 && (
        <Suspense fallback={<ChartSkeleton label="the preview timeline" />}>
          <PreviewTimelineChart preview={preview} from={input.from} to={input.to} />
        </Suspense>
      )}
      {preview.devices.length === 0 ? (
        <p className="muted">It would not have fired for any device.</p>
      ) : (
        <ScrollTable label="Devices it would have fired for" columns={DEVICE_COLUMNS}>
          {preview.devices.map((d) => (
            <tr key={`${d.nodePath}\u0000${d.deviceId}`}>
              <th scope="row" className="mono">
                <Link to="/devices/$deviceId" params={{ deviceId: d.deviceId }} search={{ node: d.nodePath }}>
                  {d.deviceId}
                </Link>
              </th>
              <td className="mono">{d.nodePath}</td>
              <td className="num">{formatCount(d.fired)}</td>
            </tr>
          ))}
        </ScrollTable>
      )}
      {!preview.timelineComplete && (
        <p className="field-hint">
          The timeline shows the first {preview.timeline.length} transitions; the counts cover all.
        </p>
      )}
    </>
  );
}
