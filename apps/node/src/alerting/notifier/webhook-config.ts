import { z } from 'zod';
// Webhook itself is in the contract: a policy bundle's routes have the same shape.
import { Webhook } from '@tierscope/shared';
import { parseAllowlistEntry, type WebhookAllowlist } from './allowlist.ts';

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
