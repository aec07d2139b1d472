import type { Logger } from 'pino';
import { refusalOfUrl, type WebhookAllowlist } from '@tierscope/notify';
import { resolvePolicy, type EscalationPolicy, type PolicyDocument, type Webhook } from '@tierscope/shared';

export interface BffRoutesOptions {
  /** `WEBHOOKS` */
  webhooks: readonly Webhook[];
  /** `WEBHOOK_ALLOWLIST`: bounds pushed routes too. */
  allowlist: WebhookAllowlist;
  /** The BFF's own fleet policy document for the root (`''`), or null before any publish. */
  policy: () => PolicyDocument | null;
  logger: Logger;
}

/**
 * The routes the BFF notifies through (its `node unreachable` alerts): env WEBHOOKS, then the
 * routes of its fleet policy bundles that target `**`, in the version its nodes run (while the
 * current one is with its canaries or halted, the previous one); on a shared id the env webhook
 * wins. A pushed route the allowlist refuses is skipped with one warning (the allowlist is the
 * last word, as at every node).
 */
export function bffRoutes(options: BffRoutesOptions): () => readonly Webhook[] {
  const warned = new Set<string>();
  let cached: { key: string; routes: readonly Webhook[] } | undefined;
  const allowed = (route: Webhook): boolean => {
    const refusal = refusalOfUrl(route.url, options.allowlist);
    if (refusal === undefined) return true;
    if (!warned.has(route.id)) {
      warned.add(route.id);
      options.logger.warn(
        { webhookId: route.id, refusal },
        'policy route refused by WEBHOOK_ALLOWLIST; skipped',
      );
    }
    return false;
  };
  return () => {
    const document = options.policy();
    const key = document === null ? '' : `${document.current.version}:${document.phase}`;
    if (cached?.key !== key) {
      const ownIds = new Set(options.webhooks.map(({ id }) => id));
      const pushed = document === null ? [] : resolvePolicy([document]).routes;
      cached = {
        key,
        routes: [...options.webhooks, ...pushed.filter(({ id }) => !ownIds.has(id)).filter(allowed)],
      };
    }
    return cached.routes;
  };
}

/**
 * The escalation policies the BFF runs: those of its fleet policy bundles that target `**`, in
 * the version its nodes run, like its routes.
 */
export function bffEscalations(policy: () => PolicyDocument | null): () => readonly EscalationPolicy[] {
  let cached: { key: string; escalations: readonly EscalationPolicy[] } | undefined;
  return () => {
    const document = policy();
    const key = document === null ? '' : `${document.current.version}:${document.phase}`;
    if (cached?.key !== key)
      cached = { key, escalations: document === null ? [] : resolvePolicy([document]).escalations };
    return cached.escalations;
  };
}
