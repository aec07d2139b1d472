import type { Backlog, BacklogTrend, NodeBacklogs } from '@tierscope/shared/schemas';
import { formatAge, formatCount } from '../../lib/format.ts';

/** One backlog as the console lists it. */
export interface BacklogRow {
  key: string;
  /** "Ingest journal", "Webhook ops", "Parent 127.0.0.1:4110", "Parents that dial in". */
  name: string;
  /** What its items are and where they go. */
  detail: string;
  backlog: Backlog;
}

/** Every backlog of one node: ingest first, then webhooks, then parents. */
export function backlogRowsOf(backlogs: NodeBacklogs): BacklogRow[] {
  return [
    {
      key: 'ingest',
      name: 'Ingest journal',
      detail: 'messages acked, not yet in the database',
      backlog: backlogs.ingest,
    },
    ...backlogs.webhooks.map((webhook) => ({
      key: `webhook:${webhook.webhookId}`,
      name: `Webhook ${webhook.webhookId}`,
      detail: 'notifications not yet delivered',
      backlog: webhook,
    })),
    ...backlogs.parents.map((parent) => ({
      key: `parent:${parent.via}`,
      // Parents that dial in are told apart by their token only, so they are one row.
      name: parent.via === 'uplink' ? `Parent ${parent.parent}` : 'Parents that dial in',
      detail: parent.away
        ? `alert changes it has not taken · away (${parent.via === 'uplink' ? 'uplink' : 'dials this node'})`
        : `alert changes it has not taken · connected (${parent.via === 'uplink' ? 'uplink' : 'dials this node'})`,
      backlog: parent,
    })),
  ];
}

const TREND_ORDER: readonly BacklogTrend[] = ['empty', 'draining', 'growing', 'stalled'];

/** A node's backlogs in one figure, for the tree: items waiting in all, and the worst trend. */
export function backlogTotal(backlogs: NodeBacklogs): { depth: number; trend: BacklogTrend } {
  const all = backlogRowsOf(backlogs).map((row) => row.backlog);
  return {
    depth: all.reduce((sum, backlog) => sum + backlog.depth, 0),
    trend: all.reduce<BacklogTrend>(
      (worst, backlog) =>
        TREND_ORDER.indexOf(backlog.trend) > TREND_ORDER.indexOf(worst) ? backlog.trend : worst,
      'empty',
    ),
  };
}

/** The pill tone of a trend: a growing backlog is a warning, a stalled one is trouble. */
export function trendTone(trend: BacklogTrend): 'ok' | 'warn' | 'bad' | 'neutral' {
  switch (trend) {
    case 'empty':
      return 'ok';
    case 'draining':
      return 'neutral';
    case 'growing':
      return 'warn';
    case 'stalled':
      return 'bad';
  }
}

/** "12 waiting, oldest 30 seconds, draining 2.5/s, empty in 5 seconds": what a screen reader says. */
export function describeBacklog(backlog: Backlog): string {
  if (backlog.depth === 0) return 'empty';
  const parts = [`${formatCount(backlog.depth)} waiting`];
  if (backlog.oldestAgeMs !== null) parts.push(`oldest ${formatAge(backlog.oldestAgeMs)}`);
  parts.push(`${backlog.trend} at ${formatDrainRate(backlog.drainPerSec)}`);
  if (backlog.etaMs !== null) parts.push(`empty in ${formatAge(backlog.etaMs)}`);
  return parts.join(', ');
}

const drainRate = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export function formatDrainRate(perSecond: number): string {
  return `${drainRate.format(perSecond)}/s`;
}
