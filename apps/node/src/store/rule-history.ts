import { and, asc, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { RuleCondition } from '@tierscope/shared';
import type { NodeDatabase } from './client.ts';
import type { EventRow, SampleRow } from './ingest-store.ts';
import { events, samples } from './schema.ts';

/** One stored row of history, as the rule engine saw it when it arrived. */
export type HistoryRow = { kind: 'sample'; row: SampleRow } | { kind: 'event'; row: EventRow };

/** History is read a slice of time at a time: bounded memory, and each slice is sorted by the database. */
const SLICE_MS = 10 * 60_000;

export interface RuleHistoryQuery {
  condition: Exclude<RuleCondition, { kind: 'device-offline' }>;
  /** Only rows of these devices are kept (the rule's scope). */
  deviceIds: ReadonlySet<string>;
  from: number;
  to: number;
}

/** What a condition reads: the samples of its metric, every sample (no-data on any data), events. */
function sourcesOf(condition: RuleHistoryQuery['condition']): { samples?: SQL | true; events?: SQL | true } {
  switch (condition.kind) {
    case 'threshold':
    case 'rate-of-change':
      return { samples: eq(samples.metric, condition.metric) };
    case 'no-data':
      // Any message counts as data for a no-data rule without a metric, events included.
      return condition.metric === undefined
        ? { samples: true, events: true }
        : { samples: eq(samples.metric, condition.metric) };
    case 'event-match':
      return { events: condition.eventType === '*' ? true : eq(events.type, condition.eventType) };
  }
}

/**
 * The stored rows a rule would have seen over [from, to), in time order, a slice at a time (rows
 * with equal times: samples before events, then by device). Only the rule's devices are kept.
 */
export async function* readRuleHistory(
  db: NodeDatabase,
  query: RuleHistoryQuery,
): AsyncGenerator<HistoryRow[], void, undefined> {
  const sources = sourcesOf(query.condition);
  for (let start = query.from; start < query.to; start += SLICE_MS) {
    const end = Math.min(start + SLICE_MS, query.to);
    const [sampleRows, eventRows] = await Promise.all([
      sources.samples ? readSamples(db, sources.samples, start, end) : [],
      sources.events ? readEvents(db, sources.events, start, end) : [],
    ]);
    const rows = mergeByTime(
      sampleRows.filter((row) => query.deviceIds.has(row.deviceId)),
      eventRows.filter((row) => query.deviceIds.has(row.deviceId)),
    );
    if (rows.length > 0) yield rows;
  }
}

function readSamples(db: NodeDatabase, filter: SQL | true, from: number, to: number): Promise<SampleRow[]> {
  return db
    .select({ deviceId: samples.deviceId, metric: samples.metric, ts: samples.ts, value: samples.value })
    .from(samples)
    .where(
      and(
        gte(samples.ts, new Date(from)),
        lt(samples.ts, new Date(to)),
        ...(filter === true ? [] : [filter]),
      ),
    )
    .orderBy(asc(samples.ts), asc(samples.deviceId), asc(samples.metric))
    .then((rows) => rows.map((row) => ({ ...row, ts: row.ts.getTime() })));
}

function readEvents(db: NodeDatabase, filter: SQL | true, from: number, to: number): Promise<EventRow[]> {
  return db
    .select({
      deviceId: events.deviceId,
      ts: events.ts,
      type: events.type,
      severity: events.severity,
      message: events.message,
      attrs: events.attrs,
    })
    .from(events)
    .where(
      and(gte(events.ts, new Date(from)), lt(events.ts, new Date(to)), ...(filter === true ? [] : [filter])),
    )
    .orderBy(asc(events.ts), asc(events.deviceId), asc(events.id))
    .then((rows) => rows.map((row) => ({ ...row, ts: row.ts.getTime() })));
}

/** Two time-ordered lists as one; at equal times samples come first. */
function mergeByTime(sampleRows: readonly SampleRow[], eventRows: readonly EventRow[]): HistoryRow[] {
  const out: HistoryRow[] = [];
  let s = 0;
  let e = 0;
  while (s < sampleRows.length || e < eventRows.length) {
    const sample = sampleRows[s];
    const event = eventRows[e];
    if (sample && (!event || sample.ts <= event.ts)) {
      out.push({ kind: 'sample', row: sample });
      s++;
    } else {
      out.push({ kind: 'event', row: event! });
      e++;
    }
  }
  return out;
}
