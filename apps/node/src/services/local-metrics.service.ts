import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import { NotFoundError, type MetricsService, type SeriesPoint } from '@tierscope/shared';
import { devices, rollupsHour, rollupsMinute, samples } from '../store/schema.ts';
import { assertOwnPath, latestByDevice } from './local-devices.service.ts';
import type { LocalNodeServiceDeps } from './local-node.types.ts';
import { HOUR_MS, MINUTE_MS, planSeries } from './series-plan.ts';

const DAY_MS = 24 * HOUR_MS;

export function createLocalMetricsService(deps: LocalNodeServiceDeps): Omit<MetricsService, 'fleet'> {
  const { db } = deps.store;

  async function assertDevice(deviceId: string): Promise<void> {
    const [row] = await db.select({ id: devices.id }).from(devices).where(eq(devices.id, deviceId));
    if (!row) throw new NotFoundError(`no device ${deviceId} on ${deps.nodePath}`);
  }

  return {
    async latest(ref) {
      assertOwnPath(ref, deps.nodePath);
      await assertDevice(ref.deviceId);
      const latest = await latestByDevice(db, [ref.deviceId]);
      return { deviceId: ref.deviceId, nodePath: deps.nodePath, values: latest.get(ref.deviceId) ?? {} };
    },

    async series(input) {
      assertOwnPath(input, deps.nodePath);
      await assertDevice(input.deviceId);
      const from = new Date(input.from);
      const to = new Date(input.to);
      const rawInRange = and(
        eq(samples.deviceId, input.deviceId),
        eq(samples.metric, input.metric),
        gte(samples.ts, from),
        lt(samples.ts, to),
      );
      // Counting stops past maxPoints: all the plan needs is whether raw points would fit.
      const [counted] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(
        db
          .select({ one: sql`1` })
          .from(samples)
          .where(rawInRange)
          .limit(input.maxPoints + 1)
          .as('r'),
      );
      const plan = planSeries({
        from: input.from,
        to: input.to,
        maxPoints: input.maxPoints,
        now: Date.now(),
        rawRetentionMs: (deps.rawRetentionDays?.() ?? 30) * DAY_MS,
        rawCount: counted?.n ?? 0,
      });
      const head = { deviceId: input.deviceId, nodePath: deps.nodePath, metric: input.metric, ...plan };

      if (plan.bucketMs === 0) {
        const rows = await db
          .select({ ts: samples.ts, value: samples.value })
          .from(samples)
          .where(rawInRange)
          .orderBy(asc(samples.ts));
        const points = rows.map((r): SeriesPoint => ({
          ts: r.ts.getTime(),
          avg: r.value,
          min: r.value,
          max: r.value,
          count: 1,
        }));
        return { ...head, points };
      }

      // Inlined, not a parameter: GROUP BY and ORDER BY must repeat the select's exact expression.
      // The width is an integer computed here, never user text.
      if (!Number.isSafeInteger(plan.bucketMs)) throw new Error(`bad bucket width ${plan.bucketMs}`);
      const width = sql.raw(`interval '${plan.bucketMs} milliseconds'`);
      let points: SeriesPoint[];
      if (plan.source === 'raw') {
        const bucket = sql`date_bin(${width}, ${samples.ts}, timestamptz 'epoch')`;
        points = await db
          .select({
            ts: sql<number>`extract(epoch from ${bucket}) * 1000`.mapWith(Number),
            min: sql<number>`min(${samples.value})`.mapWith(Number),
            max: sql<number>`max(${samples.value})`.mapWith(Number),
            sum: sql<number>`sum(${samples.value})`.mapWith(Number),
            count: sql<number>`count(*)`.mapWith(Number),
          })
          .from(samples)
          .where(rawInRange)
          .groupBy(bucket)
          .orderBy(bucket)
          .then((rows) => rows.map(toPoint));
      } else {
        const table = plan.source === 'minute' ? rollupsMinute : rollupsHour;
        const resolution = plan.source === 'minute' ? MINUTE_MS : HOUR_MS;
        const bucket = sql`date_bin(${width}, ${table.bucket}, timestamptz 'epoch')`;
        // A rollup bucket that starts before `from` still holds samples inside the range.
        const firstBucket = new Date(Math.floor(input.from / resolution) * resolution);
        points = await db
          .select({
            ts: sql<number>`extract(epoch from ${bucket}) * 1000`.mapWith(Number),
            min: sql<number>`min(${table.min})`.mapWith(Number),
            max: sql<number>`max(${table.max})`.mapWith(Number),
            sum: sql<number>`sum(${table.sum})`.mapWith(Number),
            count: sql<number>`sum(${table.count})`.mapWith(Number),
          })
          .from(table)
          .where(
            and(
              eq(table.deviceId, input.deviceId),
              eq(table.metric, input.metric),
              gte(table.bucket, firstBucket),
              lt(table.bucket, to),
            ),
          )
          .groupBy(bucket)
          .orderBy(bucket)
          .then((rows) => rows.map(toPoint));
      }
      return { ...head, points };
    },
  };
}

function toPoint(row: { ts: number; min: number; max: number; sum: number; count: number }): SeriesPoint {
  return { ts: row.ts, min: row.min, max: row.max, avg: row.sum / row.count, count: row.count };
}
