import { z } from 'zod';
import {
  ChildList,
  childrenInBothLists,
  ChildTokenList,
  CommaSeparated,
  TokenHashList,
  tlsConfigFields,
  tlsEnv,
  tlsFilesReadable,
  UplinkChildList,
} from '@tierscope/federation';
import { NodeId } from '@tierscope/shared';
import { notifierConfigFields, notifierEnv, webhooksOnAllowlist } from '@tierscope/notify';

const Port = z.coerce.number().int().min(0).max(65535);

/** Every setting a node reads, validated once at start (see loadNodeConfig). */
export const NodeConfig = z
  .object({
    nodeId: NodeId,
    nodeName: z.string().min(1).max(200),
    httpHost: z.string().default('127.0.0.1'),
    httpPort: Port.default(4100),
    /** postgres://… through postgres.js; `pglite:<dir>` or `pglite:memory` through PGlite. */
    databaseUrl: z
      .string()
      .regex(
        /^(postgres(ql)?:\/\/.+|pglite:.+)$/,
        'DATABASE_URL: postgres://… or pglite:<dir> or pglite:memory',
      ),
    /** mqtt://… an external broker; unset means an embedded aedes broker on mqttPort. */
    mqttUrl: z
      .string()
      .regex(/^mqtts?:\/\/.+/, 'MQTT_URL: mqtt://host:port or mqtts://host:port')
      .optional(),
    mqttPort: Port.default(1884),
    /**
     * The embedded broker's MQTTS port (`MQTTS_PORT`), on TLS_CERT_FILE/TLS_KEY_FILE; devices log in
     * there as on the plain port. Unset: no MQTTS.
     */
    mqttsPort: Port.optional(),
    /** `MQTT_PLAINTEXT=off`: the embedded broker takes devices on MQTTS_PORT only. */
    mqttPlaintext: z.enum(['on', 'off']).default('on'),
    /**
     * With MQTT_URL, the node's own login at the broker. With the embedded broker and DEVICE_AUTH=off,
     * the one login every client shares.
     */
    mqttUsername: z.string().optional(),
    mqttPassword: z.string().optional(),
    /**
     * The embedded broker's device logins (`DEVICE_AUTH`): `required` = each device logs in as
     * itself (username = device id, password from devices.rotateCredentials) and may publish only
     * under `devices/{its id}/` and subscribe only to its own commands; `off` = anyone may connect.
     * Quarantine applies either way. `required` unless told otherwise (docs/decisions/0025); with
     * MQTT_URL the external broker enforces its own (README: Device access), so unset means `off`.
     */
    deviceAuth: z.enum(['required', 'off']).default('required'),
    /** Where the ingest journal lives (acked messages not yet committed). */
    dataDir: z.string().min(1),
    rawRetentionDays: z.coerce.number().int().min(1).max(3650).default(30),
    unknownDevices: z.enum(['register', 'reject']).default('register'),
    batchMaxSamples: z.coerce.number().int().min(1).max(100_000).default(5000),
    batchMaxAgeMs: z.coerce.number().int().min(1).max(10_000).default(50),
    /** Messages accepted but not committed; past this, acks wait and the broker holds the rest. */
    queueLimit: z.coerce.number().int().min(100).max(1_000_000).default(20_000),
    deadLetterLimit: z.coerce.number().int().min(100).max(10_000_000).default(10_000),
    /** How long a device's new configuration version is `pending` before it is `drifted` (decision 34). */
    configGraceMs: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
    /** How often the node records its own series (ingest rate, queue depth, devices online, dead letters). */
    nodeHistoryIntervalMs: z.coerce.number().int().min(1000).max(300_000).default(10_000),
    /** How often the hour sketcher looks for closed or late-changed hours to sketch (decision 28). */
    sketchIntervalMs: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /**
     * Children this node dials (`CHILDREN=probe-c=http://127.0.0.1:4103,…`). With any, the node
     * federates them next to its own devices; uplink-attached children join at run time.
     */
    children: ChildList.default([]),
    /**
     * Children that dial this node's uplink WebSocket (`UPLINK_CHILDREN=probe-a=<token>,…`); the node
     * is given no URL for them. Each is a member of the federation from the start, `unreachable`
     * until it attaches.
     */
    uplinkChildren: UplinkChildList.default([]),
    /**
     * Hashes of the tokens a parent may call this node with (`PARENT_TOKEN_HASHES=sha256:…`, several
     * while a rotation overlaps). With any, /trpc answers 401 to a call without one of them.
     */
    parentTokenHashes: TokenHashList.prefault(''),
    /** Tokens this node presents to the children it dials (`CHILD_TOKENS=probe-a=<token>,…`). */
    childTokens: ChildTokenList.prefault(''),
    /**
     * This node's parent's uplink endpoints (`PARENT_UPLINK_URL=ws://district:4110/uplink`): the node
     * dials each with `NODE_TOKEN` and serves its parent's calls down every socket. Several, comma-
     * separated, when the parent runs as replicas (the BFF): each replica then federates this node
     * itself (docs/decisions/0017-two-bff-replicas.md).
     */
    parentUplinkUrls: CommaSeparated.pipe(
      z
        .array(z.url({ protocol: /^wss?$/, error: 'PARENT_UPLINK_URL: ws(s)://host:port/uplink' }))
        .max(16)
        .refine((urls) => new Set(urls).size === urls.length, 'PARENT_UPLINK_URL: each URL once'),
    ).prefault(''),
    nodeToken: z
      .string()
      .min(16, 'NODE_TOKEN: at least 16 characters')
      .max(512)
      .regex(/^\S+$/, 'NODE_TOKEN: no whitespace')
      .optional(),
    /** TLS_* (the API, uplink and MQTTS servers) and DIAL_* (children, parents, an mqtts:// broker). */
    ...tlsConfigFields,
    /** This node's fan-out deadline; a parent's smaller budget (x-tierscope-deadline-ms) wins. */
    federationDeadlineMs: z.coerce.number().int().min(100).max(10_000).default(1200),
    /** WEBHOOKS, WEBHOOK_ALLOWLIST, WEBHOOK_RETRY_MAX_MS */
    ...notifierConfigFields,
    /** A backlog whose items wait and none leaves for this long raises `backlog-stalled` (decision 18). */
    backlogStallAfterMs: z.coerce.number().int().min(1000).max(86_400_000).default(60_000),
    /** The drain rate of a backlog is what left it over this window. */
    backlogRateWindowMs: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
    /** A parent that has not called for this long is away: the alert changes since then wait for it. */
    parentAwayAfterMs: z.coerce.number().int().min(1000).max(3_600_000).default(5000),
  })
  .refine(
    (config) => ![...config.children, ...config.uplinkChildren].some((child) => child.id === config.nodeId),
    {
      message: "a child cannot have the node's own id",
      path: ['children'],
    },
  )
  .refine((config) => childrenInBothLists(config.children, config.uplinkChildren).length === 0, {
    message: 'a child is either dialled (CHILDREN) or attached by uplink (UPLINK_CHILDREN), not both',
    path: ['uplinkChildren'],
  })
  .refine((config) => config.deviceAuth === 'off' || config.mqttUrl === undefined, {
    message:
      'DEVICE_AUTH=required is enforced by the embedded broker; with MQTT_URL, configure the broker (README: Device access)',
    path: ['deviceAuth'],
  })
  .refine((config) => config.deviceAuth === 'off' || config.mqttUrl !== undefined || !config.mqttUsername, {
    message: 'with DEVICE_AUTH=required each device logs in as itself; the shared MQTT_USERNAME login is off',
    path: ['mqttUsername'],
  })
  .refine((config) => config.parentUplinkUrls.length === 0 || config.nodeToken !== undefined, {
    message: 'PARENT_UPLINK_URL needs NODE_TOKEN',
    path: ['nodeToken'],
  })
  .refine((config) => config.mqttsPort === undefined || config.tlsCertFile !== undefined, {
    message: 'MQTTS_PORT needs TLS_CERT_FILE and TLS_KEY_FILE',
    path: ['mqttsPort'],
  })
  .refine((config) => config.mqttsPort === undefined || config.mqttUrl === undefined, {
    message:
      "MQTTS_PORT is the embedded broker's; with MQTT_URL, the broker serves MQTTS itself (README: TLS)",
    path: ['mqttsPort'],
  })
  .refine((config) => config.mqttPlaintext === 'on' || config.mqttsPort !== undefined, {
    message: 'MQTT_PLAINTEXT=off needs MQTTS_PORT: devices would have no way in',
    path: ['mqttPlaintext'],
  })
  .superRefine(tlsFilesReadable)
  .superRefine(webhooksOnAllowlist);
export type NodeConfig = z.infer<typeof NodeConfig>;

/** Reads process.env (or the given map) once; on bad input prints every bad key and exits. */
export function loadNodeConfig(env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const nodeId = env.NODE_ID ?? 'probe-1';
  const dataDir = env.DATA_DIR ?? `.data/${nodeId}`;
  const parsed = NodeConfig.safeParse({
    nodeId,
    nodeName: env.NODE_NAME ?? nodeId,
    httpHost: env.HTTP_HOST,
    httpPort: env.HTTP_PORT,
    databaseUrl: env.DATABASE_URL ?? `pglite:${dataDir}/db`,
    mqttUrl: env.MQTT_URL || undefined,
    mqttPort: env.MQTT_PORT,
    mqttsPort: env.MQTTS_PORT || undefined,
    mqttPlaintext: env.MQTT_PLAINTEXT || undefined,
    mqttUsername: env.MQTT_USERNAME,
    mqttPassword: env.MQTT_PASSWORD,
    deviceAuth: env.DEVICE_AUTH || (env.MQTT_URL ? 'off' : undefined),
    dataDir,
    rawRetentionDays: env.RAW_RETENTION_DAYS,
    unknownDevices: env.UNKNOWN_DEVICES,
    batchMaxSamples: env.BATCH_MAX_SAMPLES,
    batchMaxAgeMs: env.BATCH_MAX_AGE_MS,
    queueLimit: env.QUEUE_LIMIT,
    deadLetterLimit: env.DEAD_LETTER_LIMIT,
    configGraceMs: env.CONFIG_GRACE_MS || undefined,
    nodeHistoryIntervalMs: env.NODE_HISTORY_INTERVAL_MS,
    sketchIntervalMs: env.SKETCH_INTERVAL_MS,
    logLevel: env.LOG_LEVEL,
    children: env.CHILDREN || undefined,
    uplinkChildren: env.UPLINK_CHILDREN || undefined,
    parentTokenHashes: env.PARENT_TOKEN_HASHES ?? '',
    childTokens: env.CHILD_TOKENS ?? '',
    parentUplinkUrls: env.PARENT_UPLINK_URL ?? '',
    nodeToken: env.NODE_TOKEN || undefined,
    ...tlsEnv(env),
    federationDeadlineMs: env.FEDERATION_DEADLINE_MS || undefined,
    ...notifierEnv(env),
    backlogStallAfterMs: env.BACKLOG_STALL_AFTER_MS || undefined,
    backlogRateWindowMs: env.BACKLOG_RATE_WINDOW_MS || undefined,
    parentAwayAfterMs: env.PARENT_AWAY_AFTER_MS || undefined,
  });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    process.stderr.write(`tierscope node: bad configuration\n${lines.join('\n')}\n`);
    process.exit(2);
  }
  return parsed.data;
}
