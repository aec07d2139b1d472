import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nodeUnreachableChanges, nodeUnreachableOpen } from '@tierscope/federation/unreachable-alert-tables';
import { sqlUnreachableAlertStore, type UnreachableAlertStore } from '@tierscope/federation';
import type { RawExecutor } from '@tierscope/store';
import { testDatabaseBackends } from '@tierscope/test-support/test-databases';
import { NotificationFeed, type FeedDatabase, type NotificationFeedOptions } from './notification-feed.ts';
import { createOutboxStore, type OutboxStore } from './outbox-store.ts';
import {
  notifierTestDatabase,
  type NotifierTestDatabase,
  type NotifierTestStore,
} from './testing/notifier-database.ts';
import { testAlert, testWebhook } from './testing/test-alerts.ts';

const T0 = Date.UTC(2025, 5, 15, 12, 0, 0);
const logger = pino({ level: 'silent' });

/** A `node unreachable` alert as a federating tier raises it for the child at `subjectPath`. */
const unreachableAlert = (subjectPath: string) =>
  testAlert({
    id: `node-unreachable:${subjectPath}:${T0}`,
    fingerprint: `node-unreachable:${subjectPath}`,
    nodePath: subjectPath,
    ruleId: 'node-unreachable',
    ruleName: 'Node unreachable',
    deviceId: null,
    subjectPath,
    severity: 'critical',
    value: null,
  });

describe.each(testDatabaseBackends())('the node-unreachable notification feed on $name', ({ create }) => {
  let database: NotifierTestDatabase;
  let store: NotifierTestStore;
  let outbox: OutboxStore;
  let log: UnreachableAlertStore;
  let woken = 0;

  beforeAll(async () => {
    database = await notifierTestDatabase(create, { nodeUnreachableChanges, nodeUnreachableOpen });
    store = database.store;
    outbox = createOutboxStore(store);
    log = sqlUnreachableAlertStore((text, params) => store.exec(text, params));
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    woken = 0;
    await store.exec(
      'truncate notification_outbox, notification_feeds, node_unreachable_changes, node_unreachable_open',
    );
  });

  const feed = (options: Partial<NotificationFeedOptions> = {}) =>
    new NotificationFeed({
      source: 'node-unreachable',
      log,
      database: store,
      outbox,
      webhooks: () => [testWebhook({ id: 'ops' }), testWebhook({ id: 'chat' })],
      onFed: () => (woken += 1),
      logger,
      now: () => T0,
      ...options,
    });

  const outboxRows = () =>
    store.exec<{ webhook: string; seq: number; status: string }>(
      `select webhook_id as webhook, change_seq::float8 as seq, payload->>'status' as status
         from notification_outbox where source = 'node-unreachable' order by change_seq, webhook_id`,
    );

  it('makes one outbox row per matching route of each change, firing then resolved, and wakes the sender', async () => {
    const feeder = feed();
    await feeder.init();
    await log.raise(unreachableAlert('district-1'));
    await log.resolve('district-1', T0 + 60_000);
    expect(await feeder.catchUp()).toBe(4);
    expect(await outboxRows()).toEqual([
      { webhook: 'chat', seq: 1, status: 'firing' },
      { webhook: 'ops', seq: 1, status: 'firing' },
      { webhook: 'chat', seq: 2, status: 'resolved' },
      { webhook: 'ops', seq: 2, status: 'resolved' },
    ]);
    expect(woken).toBe(1);
    expect(await feeder.catchUp()).toBe(0);
  });

  it('gives a route whose matchers do not select the alert nothing', async () => {
    const feeder = feed({
      webhooks: () => [
        testWebhook({ id: 'district-2-only', matchers: { nodePath: 'district-2' } }),
        testWebhook({ id: 'pumps', matchers: { devicePattern: 'pump-*' } }),
        testWebhook({ id: 'district-1', matchers: { nodePath: 'district-1' } }),
      ],
    });
    await feeder.init();
    await log.raise(unreachableAlert('district-1/probe-a'));
    await feeder.catchUp();
    expect((await outboxRows()).map((row) => row.webhook)).toEqual(['district-1']);
  });

  it('notifies nothing of the changes made before its very first start', async () => {
    await log.raise(unreachableAlert('district-1'));
    const feeder = feed();
    await feeder.init();
    expect(await feeder.catchUp()).toBe(0);
    await log.resolve('district-1', T0 + 60_000);
    expect(await feeder.catchUp()).toBe(2);
  });

  it('loses nothing when it dies between the change and its notification, and writes nothing twice on replay', async () => {
    await feed().init();
    await log.raise(unreachableAlert('district-1'));
    // The feeding transaction dies after the outbox insert, before it commits: nothing stays.
    const dying: FeedDatabase = {
      exec: (text, params) => store.exec(text, params),
      transaction: (fn) =>
        store.transaction(async (tx: RawExecutor) => {
          await fn(tx);
          throw new Error('killed before commit');
        }),
    };
    await expect(feed({ database: dying }).catchUp()).rejects.toThrow('killed before commit');
    expect(await outboxRows()).toEqual([]);

    // The next start feeds it; a second feeder (another replica) and a rewound position write nothing more.
    expect(await feed().catchUp()).toBe(2);
    expect(await feed().catchUp()).toBe(0);
    await store.exec(`update notification_feeds set fed_seq = 0`);
    expect(await feed().catchUp()).toBe(0);
    expect(await outboxRows()).toHaveLength(2);
  });

  it('feeds from where it stopped when two replicas feed the same log at once', async () => {
    const [a, b] = [feed(), feed()];
    await Promise.all([a.init(), b.init()]);
    await log.raise(unreachableAlert('district-1'));
    await log.raise(unreachableAlert('district-2'));
    const written = await Promise.all([a.catchUp(), b.catchUp()]);
    expect(written[0] + written[1]).toBe(4);
    expect(await outboxRows()).toHaveLength(4);
  });
});
