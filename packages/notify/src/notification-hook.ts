import type { AlertChange } from '@tierscope/shared';
import type { RawExecutor } from '@tierscope/store';
import type { PayloadLinks } from './alertmanager-payload.ts';
import type { EscalationEngine } from './escalation-engine.ts';
import { notificationsFor } from './notification-plan.ts';
import type { OutboxStore } from './outbox-store.ts';
import type { Webhook } from '@tierscope/shared';

export interface NotificationHookOptions {
  outbox: OutboxStore;
  /** The routes in force when the change is stored: env WEBHOOKS and the policy's routes. */
  webhooks: () => readonly Webhook[];
  links?: PayloadLinks | undefined;
  now?: (() => number) | undefined;
  /** The tier's escalations, started and stopped in the same transaction. */
  escalations?: Pick<EscalationEngine, 'apply'> | undefined;
}

/**
 * For the alert store: run inside the transaction that stores alert changes, it writes their
 * notifications to the outbox in that same transaction, so they commit together or not at all.
 * Call the delivery worker's and the escalations' wake() after the commit.
 */
export function notificationHook(
  options: NotificationHookOptions,
): (tx: RawExecutor, changes: ReadonlyArray<{ seq: number; change: AlertChange }>) => Promise<void> {
  const now = options.now ?? Date.now;
  return async (tx, changes) => {
    const at = now();
    const webhooks = options.webhooks();
    const rows = changes.flatMap(({ seq, change }) =>
      notificationsFor(change, { source: 'alert', seq }, webhooks, at, options.links),
    );
    await options.outbox.insert(rows, tx);
    await options.escalations?.apply(
      changes.map(({ change }) => change),
      tx,
    );
  };
}
