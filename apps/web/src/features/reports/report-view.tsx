import { Link } from '@tanstack/react-router';
import {
  availabilityOf,
  summarizeReport,
  type GroupFigures,
  type ReportFigures,
  type ReportSummary,
} from '@tierscope/shared/schemas';
import { lazy, Suspense, useMemo, type ReactNode } from 'react';
import { ChartSkeleton, EmptyState } from '../../components/ui/notices.tsx';
import { NodeLink } from '../../components/ui/node-link.tsx';
import { ScrollTable } from '../../components/ui/scroll-table.tsx';
import { formatCount, nodeName } from '../../lib/format.ts';
import { formatAvailability, formatDuration, formatShare, formatTrend, groupLabel } from './report-format.ts';
import type { ReportGrouping } from './report-search.ts';

// ECharts loads with the chart, not with the page's first paint.
const ReportTrendChart = lazy(() =>
  import('./report-trend-chart.tsx').then((m) => ({ default: m.ReportTrendChart })),
);

const GROUPING_LABELS: Record<ReportGrouping, string> = { node: 'Node', site: 'Site', kind: 'Kind' };

/**
 * The report's body: what is missing first, then the headline tiles, the trend, the chosen
 * grouping, the least available devices and the alerts. Every figure is derived from the merged
 * parts (summarizeReport), never averaged across nodes.
 */
export function ReportView({ figures, grouping }: { figures: ReportFigures; grouping: ReportGrouping }) {
  const summary = useMemo(() => summarizeReport(figures), [figures]);
  return (
    <div className="report" data-testid="report">
      <MissingNodes summary={summary} />
      <ReportTiles figures={figures} summary={summary} />
      <ReportSection
        id="report-trend"
        title="Availability trend"
        summary={<>per {stepName(figures.stepMs)}</>}
      >
        <Suspense fallback={<ChartSkeleton label="Loading the trend chart" />}>
          <ReportTrendChart trend={figures.trend} />
        </Suspense>
      </ReportSection>
      {summary.objectives.length > 0 && <ObjectivesTable summary={summary} />}
      <div className="two-col">
        <GroupTable groups={figures.groups[grouping]} grouping={grouping} />
        <DeviceTable figures={figures} />
      </div>
      <AlertTables figures={figures} />
    </div>
  );
}

/** A report that misses a node says so before any figure: its figures are absent, not zero. */
function MissingNodes({ summary }: { summary: ReportSummary }) {
  if (summary.missingNodes.length === 0) return null;
  return (
    <div className="notice" data-tone="warn" role="status" data-testid="report-missing-nodes">
      <div className="notice-body">
        <p className="notice-title">
          This report leaves out{' '}
          {summary.missingNodes.length === 1 ? 'a node' : `${summary.missingNodes.length} nodes`}:{' '}
          {summary.missingNodes.join(', ')}
        </p>
        <p>
          They did not answer; their devices and alerts are in none of the figures below. The report asks them
          again every few seconds.
        </p>
      </div>
    </div>
  );
}

function ReportTiles({ figures, summary }: { figures: ReportFigures; summary: ReportSummary }) {
  const trend = formatTrend(summary.availability, summary.previousAvailability);
  const critical = figures.alerts.bySeverity.critical ?? 0;
  return (
    <section className="kpis" aria-label="Headline figures">
      <div className="kpi" data-testid="report-availability">
        <span className="kpi-label">Availability</span>
        <span className="kpi-value">{formatShare(summary.availability)}</span>
        <span className="kpi-note">
          {formatCount(figures.total.devices)} devices
          {trend && ` · ${trend} on the period before`}
        </span>
      </div>
      <div className="kpi" data-testid="report-completeness">
        <span className="kpi-label">Data received</span>
        <span className="kpi-value">{formatShare(summary.completeness)}</span>
        <span className="kpi-note">
          {formatCount(figures.completeness.receivedSamples)} of{' '}
          {formatCount(figures.completeness.expectedSamples)} expected samples
        </span>
      </div>
      <div className="kpi" data-testid="report-alerts">
        <span className="kpi-label">Alerts</span>
        <span className="kpi-value">{formatCount(figures.alerts.total)}</span>
        <span className="kpi-note">{formatCount(critical)} critical</span>
      </div>
      <div className="kpi" data-testid="report-mtta">
        <span className="kpi-label">Time to acknowledge</span>
        <span className="kpi-value">{formatDuration(summary.acknowledge.meanMs)}</span>
        <span className="kpi-note">
          mean of {formatCount(summary.acknowledge.count)} · p90 {formatDuration(summary.acknowledge.p90Ms)}
        </span>
      </div>
      <div className="kpi" data-testid="report-mttr">
        <span className="kpi-label">Time to resolve</span>
        <span className="kpi-value">{formatDuration(summary.resolve.meanMs)}</span>
        <span className="kpi-note">
          mean of {formatCount(summary.resolve.count)} · p90 {formatDuration(summary.resolve.p90Ms)}
        </span>
      </div>
    </section>
  );
}

function ObjectivesTable({ summary }: { summary: ReportSummary }) {
  return (
    <ReportSection id="report-objectives" title="Objectives" flush>
      <ScrollTable
        label="Service-level objectives"
        columns={[
          { header: 'Objective' },
          { header: 'Target', numeric: true },
          { header: 'Availability', numeric: true },
          { header: 'Status' },
          { header: 'Error budget left', numeric: true },
          { header: 'Trend', numeric: true },
        ]}
      >
        {summary.objectives.map((objective) => (
          <tr key={objective.name}>
            <td>{objective.name}</td>
            <td className="num">{formatShare(objective.target)}</td>
            <td className="num">{formatShare(objective.availability)}</td>
            <td>
              {objective.met === null ? (
                <span className="pill">not observed</span>
              ) : (
                <span className="pill" data-tone={objective.met ? 'ok' : 'bad'}>
                  {objective.met ? 'met' : 'missed'}
                </span>
              )}
            </td>
            <td className="num">{formatShare(objective.errorBudgetLeft)}</td>
            <td className="num">
              {formatTrend(objective.availability, objective.previousAvailability) || '—'}
            </td>
          </tr>
        ))}
      </ScrollTable>
    </ReportSection>
  );
}

function GroupTable({ groups, grouping }: { groups: readonly GroupFigures[]; grouping: ReportGrouping }) {
  const label = `Availability by ${GROUPING_LABELS[grouping].toLowerCase()}`;
  return (
    <ReportSection id="report-groups" title={label} summary={formatCount(groups.length)} flush>
      {groups.length === 0 ? (
        <EmptyState title="No devices in this period" />
      ) : (
        <ScrollTable
          label={label}
          columns={[
            { header: GROUPING_LABELS[grouping] },
            { header: 'Devices', numeric: true },
            { header: 'Availability', numeric: true },
            { header: 'Down time', numeric: true },
            { header: 'Data received', numeric: true },
          ]}
        >
          {groups.map((group) => (
            <tr key={group.key} data-testid="report-group-row">
              <td>
                {grouping === 'node' ? (
                  <NodeLink path={group.key}>{group.key}</NodeLink>
                ) : (
                  <span className={group.key === '' ? 'muted' : undefined}>{groupLabel(group.key)}</span>
                )}
              </td>
              <td className="num">{formatCount(group.devices)}</td>
              <td className="num">{formatAvailability(group)}</td>
              <td className="num">{formatDuration(group.downMs)}</td>
              <td className="num">
                {formatShare(
                  group.expectedSamples > 0 ? group.receivedSamples / group.expectedSamples : null,
                )}
              </td>
            </tr>
          ))}
        </ScrollTable>
      )}
    </ReportSection>
  );
}

function DeviceTable({ figures }: { figures: ReportFigures }) {
  return (
    <ReportSection id="report-devices" title="Least available devices" flush>
      {figures.devices.length === 0 ? (
        <EmptyState title="No devices in this period" />
      ) : (
        <ScrollTable
          label="Least available devices"
          columns={[
            { header: 'Device' },
            { header: 'Node' },
            { header: 'Availability', numeric: true },
            { header: 'Down time', numeric: true },
          ]}
        >
          {figures.devices.map((device) => (
            <tr key={`${device.nodePath}/${device.deviceId}`}>
              <td>
                <Link
                  to="/devices/$deviceId"
                  params={{ deviceId: device.deviceId }}
                  search={{ node: device.nodePath }}
                >
                  {device.name || device.deviceId}
                </Link>
                <div className="muted">
                  {[device.kind, device.site].filter(Boolean).join(' · ') || 'kind and site not set'}
                </div>
              </td>
              <td>
                <NodeLink path={device.nodePath}>{nodeName(device.nodePath)}</NodeLink>
              </td>
              <td className="num">{formatShare(availabilityOf(device))}</td>
              <td className="num">{formatDuration(device.downMs)}</td>
            </tr>
          ))}
        </ScrollTable>
      )}
    </ReportSection>
  );
}

function AlertTables({ figures }: { figures: ReportFigures }) {
  const { byRule, noisiestDevices } = figures.alerts;
  return (
    <div className="two-col">
      <ReportSection id="report-rules" title="Alerts by rule" flush>
        {byRule.length === 0 ? (
          <EmptyState title="No alerts fired in this period" />
        ) : (
          <ScrollTable
            label="Alerts by rule"
            columns={[{ header: 'Rule' }, { header: 'Fired', numeric: true }]}
          >
            {byRule.slice(0, 10).map((rule) => (
              <tr key={rule.ruleId}>
                <td>{rule.ruleName}</td>
                <td className="num">{formatCount(rule.count)}</td>
              </tr>
            ))}
          </ScrollTable>
        )}
      </ReportSection>
      <ReportSection id="report-noisiest" title="Noisiest devices" flush>
        {noisiestDevices.length === 0 ? (
          <EmptyState title="No alerts fired in this period" />
        ) : (
          <ScrollTable
            label="Noisiest devices"
            columns={[{ header: 'Device' }, { header: 'Node' }, { header: 'Alerts', numeric: true }]}
          >
            {noisiestDevices.map((device) => (
              <tr key={`${device.nodePath}/${device.deviceId}`}>
                <td>
                  <Link
                    to="/devices/$deviceId"
                    params={{ deviceId: device.deviceId }}
                    search={{ node: device.nodePath }}
                  >
                    {device.deviceId}
                  </Link>
                </td>
                <td>
                  <NodeLink path={device.nodePath}>{nodeName(device.nodePath)}</NodeLink>
                </td>
                <td className="num">{formatCount(device.count)}</td>
              </tr>
            ))}
          </ScrollTable>
        )}
      </ReportSection>
    </div>
  );
}

/** One titled panel of the report; `flush` lets a table run edge to edge. */
function ReportSection({
  id,
  title,
  summary,
  flush = false,
  children,
}: {
  id: string;
  title: string;
  summary?: ReactNode;
  flush?: boolean;
  children: ReactNode;
}) {
  return (
    <section className="panel" aria-labelledby={id}>
      <div className="panel-header">
        <h2 className="panel-title" id={id}>
          {title}
        </h2>
        {summary !== undefined && <span className="panel-summary">{summary}</span>}
      </div>
      <div className={flush ? 'panel-body flush' : 'panel-body'}>{children}</div>
    </section>
  );
}

function stepName(stepMs: number): string {
  if (stepMs >= 7 * 86_400_000) return 'week';
  if (stepMs >= 86_400_000) return 'day';
  return 'hour';
}
