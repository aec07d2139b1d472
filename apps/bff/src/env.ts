import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ChildList, childrenInBothLists, UplinkChildList } from '@tierscope/federation';
import { NodeId } from '@tierscope/shared';

const Port = z.coerce.number().int().min(0).max(65535);

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
    /** The deadline of every fan-out; each child is told the time left, so none answers later. */
    federationDeadlineMs: z.coerce.number().int().min(100).max(10_000).default(1500),
    /** The built console; served when the directory exists, skipped otherwise. */
    webDist: z.string().min(1),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
  });
export type BffConfig = z.infer<typeof BffConfig>;

const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

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
    federationDeadlineMs: env.FEDERATION_DEADLINE_MS || undefined,
    webDist: env.WEB_DIST ?? DEFAULT_WEB_DIST,
    logLevel: env.LOG_LEVEL,
  });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    process.stderr.write(`tierscope bff: bad configuration\n${lines.join('\n')}\n`);
    process.exit(2);
  }
  return parsed.data;
}
