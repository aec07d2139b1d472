import { z } from 'zod';
import { NodePath, Severity } from '@tierscope/shared';
import { parseAllowlistEntry, type WebhookAllowlist } from './allowlist.ts';

/** Every given matcher must match; a node path matches itself and its subtree. */
export const WebhookMatchers = z
  .object({
    /** Glob on the device id (`*`, `?`); an alert without a device never matches it. */
    devicePattern: z.string().min(1).max(128).optional(),
    ruleId: z.string().min(1).max(64).optional(),
    nodePath: NodePath.optional(),
  })
  .strict();
export type WebhookMatchers = z.infer<typeof WebhookMatchers>;

/** One generic webhook: Alertmanager v4 JSON is POSTed to `url` for the alerts it selects. */
export const Webhook = z
  .object({
    /** Names the receiver in the payload, the metrics and the outbox rows. */
    id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'webhook id: 1–64 of A-Z, a-z, 0-9, ".", "_", "-"'),
    url: z.url({ protocol: /^https?$/, error: 'url: an http:// or https:// URL' }).max(2048),
    minSeverity: Severity.default('warning'),
    matchers: WebhookMatchers.optional(),
    sendResolved: z.boolean().default(true),
    /** One request's whole budget (connect, send, answer); the delivery lease is derived from it. */
    timeoutMs: z.number().int().min(100).max(30_000).default(10_000),
  })
  .strict();
export type Webhook = z.infer<typeof Webhook>;

const MAX_WEBHOOKS = 50;

/**
 * `WEBHOOKS`: a JSON array of webhooks. Each bad entry is reported with its index and id, so the
 * operator sees which one to fix.
 */
export const WebhookList = z.string().transform((text, ctx): Webhook[] => {
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `WEBHOOKS: not JSON (${(error as Error).message})` });
    return z.NEVER;
  }
  if (!Array.isArray(entries) || entries.length > MAX_WEBHOOKS) {
    ctx.addIssue({ code: 'custom', message: `WEBHOOKS: a JSON array of at most ${MAX_WEBHOOKS} webhooks` });
    return z.NEVER;
  }
  const webhooks: Webhook[] = [];
  const ids = new Set<string>();
  entries.forEach((entry: unknown, index) => {
    const parsed = Webhook.safeParse(entry);
    const name = webhookName(entry, index);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ code: 'custom', path: [index, ...issue.path], message: `${name}: ${issue.message}` });
      }
      return;
    }
    if (ids.has(parsed.data.id)) {
      ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `${name}: the id is used twice` });
    }
    ids.add(parsed.data.id);
    webhooks.push(parsed.data);
  });
  return webhooks;
});

function webhookName(entry: unknown, index: number): string {
  const id = (entry as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? `webhook ${index} ("${id.slice(0, 64)}")` : `webhook ${index}`;
}

/**
 * `WEBHOOK_ALLOWLIST`: comma-separated host names (`hooks.example.com`), wildcards for subdomains
 * (`*.example.com`), IP addresses and CIDRs. Empty means no webhook may be configured.
 */
export const WebhookAllowlistText = z.string().transform((text, ctx): WebhookAllowlist => {
  const allowlist: WebhookAllowlist = { hosts: [], domains: [], networks: [] };
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    const parsed = parseAllowlistEntry(entry);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: `"${entry.slice(0, 100)}": ${parsed}` });
    } else if (parsed.kind === 'host') {
      allowlist.hosts.push(parsed.host);
    } else if (parsed.kind === 'domain') {
      allowlist.domains.push(parsed.domain);
    } else {
      allowlist.networks.push(parsed.network);
    }
  }
  return allowlist;
});
