import type { RawExecutor } from './client.ts';

/** Versions kept per device for the diff of a device that reports an older one. */
export const CONFIG_VERSIONS_KEPT = 20;

/**
 * A new desired configuration for each device given, each at its next version, in one statement:
 * the desired row, the version's copy, and the copies past CONFIG_VERSIONS_KEPT dropped. Returns
 * each device's new version. $1 device ids, $2 document, $3 set by, $4 set at.
 */
export const SET_DESIRED_CONFIGS = `
WITH picked AS (
  SELECT DISTINCT unnest($1::text[]) AS device_id
), desired AS (
  INSERT INTO device_config_desired AS d (device_id, version, document, set_by, set_at)
  SELECT device_id, 1, $2::jsonb, $3, $4::int8 FROM picked ORDER BY device_id
  ON CONFLICT (device_id) DO UPDATE SET
    version = d.version + 1, document = excluded.document, set_by = excluded.set_by, set_at = excluded.set_at
  RETURNING device_id, version
), kept AS (
  INSERT INTO device_config_versions (device_id, version, document, set_by, set_at)
  SELECT device_id, version, $2::jsonb, $3, $4::int8 FROM desired
), dropped AS (
  DELETE FROM device_config_versions v USING desired
   WHERE v.device_id = desired.device_id AND v.version <= desired.version - ${CONFIG_VERSIONS_KEPT}
)
SELECT device_id AS "deviceId", version FROM desired ORDER BY device_id`;

/**
 * A batch's config reports, in its transaction (decision 3: replay-safe). A report of a version the
 * node set for that device (the current one or an older one) becomes the device's reported row,
 * unless a later report is stored already; any other report is a dead letter (`unknown-config`).
 */
export const REPORT_CONFIGS = `
WITH reports AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(seq int8, "deviceId" text, version int, ok boolean,
    error text, config jsonb, at float8, topic text, "payloadPreview" text, size int)
), known AS (
  SELECT r.*, d.version AS desired FROM reports r LEFT JOIN device_config_desired d ON d.device_id = r."deviceId"
), stored AS (
  INSERT INTO device_config_reported AS c (device_id, version, ok, error, document, reported_at, seq)
  SELECT DISTINCT ON ("deviceId") "deviceId", version, ok, error, config, at::int8, seq
    FROM known WHERE desired IS NOT NULL AND version <= desired
   ORDER BY "deviceId", at DESC, seq DESC
  ON CONFLICT (device_id) DO UPDATE SET
    version = excluded.version, ok = excluded.ok, error = excluded.error, document = excluded.document,
    reported_at = excluded.reported_at, seq = excluded.seq
  WHERE (c.reported_at, c.seq) <= (excluded.reported_at, excluded.seq)
  RETURNING device_id
), refused AS (
  INSERT INTO dead_letters (seq, received_at, topic, reason, detail, payload_preview, size)
  SELECT seq, to_timestamp(at / 1000.0), topic, 'unknown-config',
         CASE WHEN desired IS NULL
           THEN format('device "%s" reported config version %s, but no configuration was set for it', "deviceId", version)
           ELSE format('device "%s" reported config version %s; the newest set for it is %s', "deviceId", version, desired)
         END,
         "payloadPreview", size
    FROM known WHERE desired IS NULL OR version > desired
  ON CONFLICT (seq) DO NOTHING
)
SELECT count(*)::int AS stored FROM stored`;

/**
 * The state of a configured device (`d` desired, `r` reported) in SQL, as configStateOf says it in
 * packages/shared (device-config.ts); `now` and `grace` are placeholders for epoch ms values.
 */
export function configStateSql(now: string, grace: string): string {
  return `CASE
    WHEN r.version = d.version THEN
      CASE WHEN r.ok AND (r.document IS NULL OR r.document = d.document) THEN 'in_sync' ELSE 'drifted' END
    WHEN (r.version IS NULL OR r.version < d.version) AND ${now}::int8 - d.set_at < ${grace}::int8 THEN 'pending'
    ELSE 'drifted' END`;
}

/** One device's desired and reported rows, and the document of the version it reported if still kept. */
export interface DeviceConfigRows {
  desired: { version: number; document: Record<string, unknown>; setBy: string; setAt: number } | null;
  reported: {
    version: number;
    ok: boolean;
    error: string | null;
    document: Record<string, unknown> | null;
    reportedAt: number;
  } | null;
  /** The document of the reported version as it was set, when the device sent none. */
  reportedVersionDocument: Record<string, unknown> | null;
}

export async function readDeviceConfig(db: RawExecutor, deviceId: string): Promise<DeviceConfigRows> {
  const [desired] = await db.exec<NonNullable<DeviceConfigRows['desired']>>(
    `SELECT version, document, set_by AS "setBy", set_at::float8 AS "setAt"
       FROM device_config_desired WHERE device_id = $1`,
    [deviceId],
  );
  const [reported] = await db.exec<NonNullable<DeviceConfigRows['reported']>>(
    `SELECT version, ok, error, document, reported_at::float8 AS "reportedAt"
       FROM device_config_reported WHERE device_id = $1`,
    [deviceId],
  );
  let reportedVersionDocument: Record<string, unknown> | null = null;
  if (reported && reported.document === null) {
    const [kept] = await db.exec<{ document: Record<string, unknown> }>(
      `SELECT document FROM device_config_versions WHERE device_id = $1 AND version = $2`,
      [deviceId, reported.version],
    );
    reportedVersionDocument = kept?.document ?? null;
  }
  return { desired: desired ?? null, reported: reported ?? null, reportedVersionDocument };
}
