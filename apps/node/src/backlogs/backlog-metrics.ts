import { Gauge, type Registry } from 'prom-client';
import type { Backlog } from '@tierscope/shared';

type BacklogLabels = 'backlog' | 'name';

/** The backlogs' Prometheus gauges: the figures node.info reports, labelled by backlog kind and name. */
export interface BacklogMetrics {
  update(kind: 'ingest' | 'webhook' | 'parent', name: string, backlog: Backlog): void;
}

export function createBacklogMetrics(registry: Registry): BacklogMetrics {
  const gauge = (name: string, help: string) =>
    new Gauge<BacklogLabels>({ name, help, labelNames: ['backlog', 'name'], registers: [registry] });
  const depth = gauge(
    'tierscope_backlog_depth',
    'Items a backlog holds (ingest journal, webhook outbox, owed to a parent)',
  );
  const oldestAge = gauge(
    'tierscope_backlog_oldest_age_seconds',
    'How long the oldest waiting item has waited (0 when none)',
  );
  const drainRate = gauge(
    'tierscope_backlog_drain_per_second',
    'Items leaving the backlog per second over the rate window',
  );
  const eta = gauge(
    'tierscope_backlog_eta_seconds',
    'Depth over drain rate while it drains; absent when it does not',
  );
  const stalled = gauge('tierscope_backlog_stalled', '1 when items wait and none left for the stall period');
  return {
    update(kind, name, backlog) {
      const labels = { backlog: kind, name };
      depth.set(labels, backlog.depth);
      oldestAge.set(labels, (backlog.oldestAgeMs ?? 0) / 1000);
      drainRate.set(labels, backlog.drainPerSec);
      if (backlog.etaMs === null) eta.remove(labels);
      else eta.set(labels, backlog.etaMs / 1000);
      stalled.set(labels, backlog.trend === 'stalled' ? 1 : 0);
    },
  };
}
