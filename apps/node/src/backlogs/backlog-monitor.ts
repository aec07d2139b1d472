import type { Logger } from 'pino';
import type { Backlog, NodeBacklogs } from '@tierscope/shared';
import type { WatchedBacklog } from '../alerting/backlog-alerts.ts';
import type { BacklogMetrics } from './backlog-metrics.ts';
import { DrainTracker, type DrainTrackerOptions } from './drain-tracker.ts';
import type { ParentReading } from './parent-links.ts';

/** One backlog's state as its source sees it now. */
export interface SourceReading {
  depth: number;
  drainedTotal: number;
  oldestAt: number | null;
}

/** Where the monitor reads each backlog. */
export interface BacklogSources {
  ingest(): SourceReading;
  webhooks(): Promise<(SourceReading & { webhookId: string })[]>;
  parents(): Promise<ParentReading[]>;
}

export interface BacklogMonitorOptions extends DrainTrackerOptions {
  sources: BacklogSources;
  /** How often the backlogs are read. */
  intervalMs: number;
  metrics?: BacklogMetrics | undefined;
  /** Each reading's backlogs, for the stalled-drain alert. */
  onRead?: ((backlogs: readonly WatchedBacklog[]) => Promise<void>) | undefined;
  logger: Logger;
  now?: () => number;
}

const EMPTY: Backlog = { depth: 0, oldestAgeMs: null, drainPerSec: 0, etaMs: null, trend: 'empty' };

/**
 * Reads the node's backlogs every `intervalMs` (ingest journal, each webhook's outbox, what each
 * parent is owed), keeps a DrainTracker per backlog and holds the latest figures for node.info and
 * the gauges.
 */
export class BacklogMonitor {
  readonly #options: BacklogMonitorOptions;
  readonly #now: () => number;
  readonly #trackers = new Map<string, DrainTracker>();
  #current: NodeBacklogs = { ingest: EMPTY, webhooks: [], parents: [] };
  #timer: NodeJS.Timeout | undefined;
  #reading = false;

  constructor(options: BacklogMonitorOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  current(): NodeBacklogs {
    return this.#current;
  }

  start(): void {
    this.#timer = setInterval(() => void this.#tick(), this.#options.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Reads every backlog once; a source that fails keeps its last figures until the next reading. */
  async read(): Promise<NodeBacklogs> {
    const at = this.#now();
    const { sources } = this.#options;
    const ingest = this.#observe('ingest', 'journal', at, sources.ingest());
    const webhooks = await sources.webhooks().then(
      (readings) =>
        readings.map((r) => ({ webhookId: r.webhookId, ...this.#observe('webhook', r.webhookId, at, r) })),
      (error: unknown) => {
        this.#options.logger.warn({ err: error }, 'webhook backlogs unreadable; keeping the last figures');
        return this.#current.webhooks;
      },
    );
    const parents = await sources.parents().then(
      (readings) =>
        readings.map((r) => ({
          parent: r.parent.label,
          via: r.parent.via,
          lastHeardAt: r.lastHeardAt,
          away: r.away,
          ...this.#observe('parent', r.parent.key, at, r),
        })),
      (error: unknown) => {
        this.#options.logger.warn({ err: error }, 'parent backlogs unreadable; keeping the last figures');
        return this.#current.parents;
      },
    );
    this.#current = { ingest, webhooks, parents };
    await this.#options.onRead?.([
      { key: 'ingest', label: 'ingest journal', backlog: ingest },
      ...webhooks.map((w) => ({
        key: `webhook:${w.webhookId}`,
        label: `webhook ${w.webhookId}`,
        backlog: w,
      })),
      ...parents.map((p) => ({ key: `parent:${p.via}`, label: `parent ${p.parent}`, backlog: p })),
    ]);
    return this.#current;
  }

  async #tick(): Promise<void> {
    if (this.#reading) return;
    this.#reading = true;
    try {
      await this.read();
    } catch (error) {
      this.#options.logger.error({ err: error }, 'reading the backlogs failed; the next tick retries');
    } finally {
      this.#reading = false;
    }
  }

  #observe(kind: 'ingest' | 'webhook' | 'parent', name: string, at: number, reading: SourceReading): Backlog {
    const key = `${kind}:${name}`;
    let tracker = this.#trackers.get(key);
    if (!tracker) {
      tracker = new DrainTracker(this.#options);
      this.#trackers.set(key, tracker);
    }
    const backlog = tracker.observe({ at, ...reading });
    this.#options.metrics?.update(kind, name, backlog);
    return backlog;
  }
}
