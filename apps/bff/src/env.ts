import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  ChildList,
  childrenInBothLists,
  ChildTokenList,
  CommaSeparated,
  tlsConfigFields,
  tlsEnv,
  tlsFilesReadable,
  UplinkChildList,
} from '@tierscope/federation';
import { notifierConfigFields, notifierEnv, webhooksOnAllowlist } from '@tierscope/notify';
import { NodeId, PolicyContent } from '@tierscope/shared';
import { NewPassword, Username } from '@tierscope/shared';
import { APP_ROOT } from './app-root.ts';

const Port = z.coerce.number().int().min(0).max(65535);

/** A file of policy content (JSON), read once here like every other setting. */
const PolicyFile = z
  .string()
  .transform((path, ctx) => {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as unknown;
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `${path}: ${error instanceof Error ? error.message : String(error)}`,
      });
      return z.NEVER;
    }
  })
  .pipe(PolicyContent);

/** An executable Chromium, checked at start: a PDF report must not be the first to find it missing. */
const ChromiumPath = z
  .string()
  .min(1)
  .superRefine((path, ctx) => {
    try {
      accessSync(path, constants.X_OK);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `CHROMIUM_PATH: ${path} is not an executable (apt-get install chromium)`,
      });
    }
  });

/** Every setting the BFF reads, validated once at start (see loadBffConfig). */
export const BffConfig = z
  .object({
    /** The root's id: it names the BFF in node.info; the children's paths are not prefixed with it. */
    nodeId: NodeId,
    nodeName: z.string().min(1).max(200),
    httpHost: z.string().default('127.0.0.1'),
    httpPort: Port.default(4000),
    /** The nodes the BFF dials (`CHILDREN=district-1=http://127.0.0.1:4110,probe-d=http://…`). */
    children: ChildList.default([]),
    /**
     * Children that dial the BFF's uplink WebSocket (`UPLINK_CHILDREN=probe-e=<token>,…`): members from
     * the start, `unreachable` until they attach.
     */
    uplinkChildren: UplinkChildList.default([]),
    /** Tokens the BFF presents to the children it dials (`CHILD_TOKENS=district-1=<token>,…`). */
    childTokens: ChildTokenList.prefault(''),
    /**
     * TLS_* (the console, API and uplink; TLS_CLIENT_CERTS=require asks for a client certificate on
     * the uplink only, so browsers reach the console without one) and DIAL_* (the children it dials).
     */
    ...tlsConfigFields,
    /** The deadline of every fan-out; each child is told the time left, so none answers later. */
    federationDeadlineMs: z.coerce.number().int().min(100).max(10_000).default(1500),
    /** The built console; served when the directory exists, skipped otherwise. */
    webDist: z.string().min(1),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** The BFF's own database (users, sessions, audit): postgres://… or pglite:<dir> or pglite:memory. */
    databaseUrl: z
      .string()
      .regex(
        /^(postgres(ql)?:\/\/.+|pglite:.+)$/,
        'DATABASE_URL: postgres://… or pglite:<dir> or pglite:memory',
      ),
    /** The first admin's name, created at the first start only (when there are no users). */
    adminUser: Username.default('admin'),
    /** The first admin's password; unset, a one-time password is printed at the first start. */
    adminPassword: NewPassword.optional(),
    /** Where browsers reach the console; https makes the session cookie `__Host-` and Secure. */
    publicUrl: z.url({ protocol: /^https?$/ }).optional(),
    /**
     * Reverse proxies in front of the BFF (`TRUST_PROXY=10.0.0.5,10.1.0.0/16`): only their
     * X-Forwarded-For is believed, so login limits and the audit log see the real client address.
     */
    trustProxy: CommaSeparated.pipe(
      z.array(z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()])).max(64),
    ).default([]),
    /** A console session unused this long ends. */
    sessionIdleMinutes: z.coerce.number().int().min(1).max(1440).default(30),
    /** A console session ends this long after login, however busy. */
    sessionMaxHours: z.coerce.number().int().min(1).max(720).default(12),
    /**
     * `DEMO_POLICY_FILE`: policy content the BFF publishes as the first admin (comment "demo
     * policy") when it has no policy version yet. `npm start` sets it; nothing else should.
     */
    demoPolicy: PolicyFile.optional(),
    /**
     * WEBHOOKS, WEBHOOK_ALLOWLIST, WEBHOOK_RETRY_MAX_MS, as a node reads them: where the BFF's own
     * `node unreachable` alerts go, besides the routes its fleet policy gives `**`.
     */
    ...notifierConfigFields,
    /** Chromium, for PDF reports (`/usr/bin/chromium`); unset, PDF reports answer 503 saying so. */
    chromiumPath: ChromiumPath.optional(),
    /** `warm`: one Chromium kept between reports; `per-report`: launched for each (decision 31). */
    reportBrowser: z.enum(['warm', 'per-report']).default('warm'),
    /** Archived reports (scheduled ones) are kept this long. */
    reportRetentionDays: z.coerce.number().int().min(1).max(3650).default(90),
    /** Attempts per report email before its archive row shows `failed`. */
    reportDeliveryAttempts: z.coerce.number().int().min(1).max(20).default(6),
  })
  .refine(
    (config) => ![...config.children, ...config.uplinkChildren].some((child) => child.id === config.nodeId),
    {
      message: "a child cannot have the BFF's own id",
      path: ['children'],
    },
  )
  .refine((config) => childrenInBothLists(config.children, config.uplinkChildren).length === 0, {
    message: 'a child is either dialled (CHILDREN) or attached by uplink (UPLINK_CHILDREN), not both',
    path: ['uplinkChildren'],
  })
  .superRefine(tlsFilesReadable)
  .superRefine(webhooksOnAllowlist);
export type BffConfig = z.infer<typeof BffConfig>;

const DEFAULT_WEB_DIST = join(APP_ROOT, '../web/dist');

/** Reads process.env (or the given map) once; on bad input prints every bad key and exits. */
export function loadBffConfig(env: NodeJS.ProcessEnv = process.env): BffConfig {
  const nodeId = env.NODE_ID ?? 'bff';
  const parsed = BffConfig.safeParse({
    nodeId,
    nodeName: env.NODE_NAME ?? 'Tierscope',
    httpHost: env.HTTP_HOST,
    httpPort: env.HTTP_PORT,
    children: env.CHILDREN || undefined,
    uplinkChildren: env.UPLINK_CHILDREN || undefined,
    childTokens: env.CHILD_TOKENS ?? '',
    ...tlsEnv(env),
    federationDeadlineMs: env.FEDERATION_DEADLINE_MS || undefined,
    webDist: env.WEB_DIST ?? DEFAULT_WEB_DIST,
    logLevel: env.LOG_LEVEL,
    databaseUrl: env.DATABASE_URL ?? 'pglite:.data/bff',
    adminUser: env.BFF_ADMIN_USER || undefined,
    adminPassword: env.BFF_ADMIN_PASSWORD || undefined,
    publicUrl: env.BFF_PUBLIC_URL || undefined,
    trustProxy: env.TRUST_PROXY || undefined,
    sessionIdleMinutes: env.SESSION_IDLE_MINUTES || undefined,
    sessionMaxHours: env.SESSION_MAX_HOURS || undefined,
    demoPolicy: env.DEMO_POLICY_FILE || undefined,
    ...notifierEnv(env),
    chromiumPath: env.CHROMIUM_PATH || undefined,
    reportBrowser: env.REPORT_BROWSER || undefined,
    reportRetentionDays: env.REPORT_RETENTION_DAYS || undefined,
    reportDeliveryAttempts: env.REPORT_DELIVERY_ATTEMPTS || undefined,
  });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    process.stderr.write(`tierscope bff: bad configuration\n${lines.join('\n')}\n`);
    process.exit(2);
  }
  return parsed.data;
}
