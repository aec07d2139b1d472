import { z } from 'zod';
import { VapidSettings } from './web-push.ts';
// Webhook itself is in the contract: a policy bundle's routes have the same shape.
import { Webhook } from '@tierscope/shared';
import { parseAllowlistEntry, refusalOfUrl, type WebhookAllowlist } from './allowlist.ts';

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

/**
 * The notifier's settings, read the same way by every tier that notifies: spread them into the
 * tier's configuration object and refine it with `webhooksOnAllowlist`.
 */
export const notifierConfigFields = {
  /**
   * Webhooks sent Alertmanager v4 JSON for the alerts they select (`WEBHOOKS`, a JSON array:
   * `[{"id":"ops","url":"https://hooks.example.com/x","minSeverity":"critical"}]`).
   */
  webhooks: WebhookList.default([]),
  /**
   * Where webhooks may send (`WEBHOOK_ALLOWLIST=hooks.example.com,*.example.org,10.1.0.0/16`);
   * a private, loopback or link-local address is refused unless an IP or CIDR here covers it.
   */
  webhookAllowlist: WebhookAllowlistText.prefault(''),
  /** The longest wait between two attempts of one notification (`WEBHOOK_RETRY_MAX_MS`). */
  webhookRetryMaxMs: z.coerce.number().int().min(100).max(3_600_000).default(300_000),
  /** Where email goes out (`SMTP_URL=smtp://user:pass@mail.example.com:587`, or `smtps://…:465`); unset: no email. */
  smtpUrl: z.url({ protocol: /^smtps?$/, error: 'SMTP_URL: an smtp:// or smtps:// URL' }).optional(),
  /** The sender of every email (`SMTP_FROM`). */
  smtpFrom: z.string().min(3).max(254).default('Tierscope <tierscope@localhost>'),
  /**
   * How long after the owner a federating tier runs an escalation step (`ESCALATION_STEP_DELAY_MS`),
   * so the tiers below have told theirs and nobody is told twice.
   */
  escalationStepDelayMs: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /**
   * The tier's Web Push identity (`VAPID_PUBLIC_KEY`, `VAPID_PRIVATE_KEY`, `VAPID_SUBJECT`): unset,
   * no push is sent. `npx web-push generate-vapid-keys` makes a pair.
   */
  vapid: VapidSettings.optional(),
  /** The console's address, for the alert's link in every notification (`CONSOLE_URL`). */
  consoleUrl: z.url({ protocol: /^https?$/, error: 'CONSOLE_URL: an http:// or https:// URL' }).optional(),
};

/** The notifier's variables as `notifierConfigFields` takes them (unset or empty: the default). */
export function notifierEnv(env: NodeJS.ProcessEnv): Record<keyof typeof notifierConfigFields, unknown> {
  return {
    webhooks: env.WEBHOOKS || undefined,
    webhookAllowlist: env.WEBHOOK_ALLOWLIST || undefined,
    webhookRetryMaxMs: env.WEBHOOK_RETRY_MAX_MS || undefined,
    smtpUrl: env.SMTP_URL || undefined,
    smtpFrom: env.SMTP_FROM || undefined,
    consoleUrl: env.CONSOLE_URL || undefined,
    escalationStepDelayMs: env.ESCALATION_STEP_DELAY_MS || undefined,
    // Given as a set: a key without its pair is refused by name rather than ignored.
    vapid:
      env.VAPID_PUBLIC_KEY || env.VAPID_PRIVATE_KEY
        ? {
            publicKey: env.VAPID_PUBLIC_KEY,
            privateKey: env.VAPID_PRIVATE_KEY,
            subject: env.VAPID_SUBJECT || 'mailto:tierscope@localhost',
          }
        : undefined,
  };
}

/** Refuses, by name, each configured webhook whose target WEBHOOK_ALLOWLIST does not allow. */
export function webhooksOnAllowlist(
  config: { webhooks: readonly Webhook[]; webhookAllowlist: WebhookAllowlist },
  ctx: z.RefinementCtx,
): void {
  config.webhooks.forEach((webhook, index) => {
    const refusal = refusalOfUrl(webhook.url, config.webhookAllowlist);
    if (refusal) {
      ctx.addIssue({
        code: 'custom',
        path: ['webhooks', index, 'url'],
        message: `webhook "${webhook.id}": ${refusal}`,
      });
    }
  });
}
