import type { Logger } from 'pino';
import {
  inScope,
  type Alert,
  type AlertChange,
  type EscalationPolicy,
  type Webhook,
} from '@tierscope/shared';
import type { RawExecutor } from '@tierscope/store';
import { alertEmail } from './alert-email.ts';
import { alertPush, type PushNotification } from './web-push.ts';
import type { PayloadLinks } from './alertmanager-payload.ts';
import type { FeedDatabase } from './notification-feed.ts';
import {
  notifiedEvent,
  routeNotification,
  routeTells,
  selects,
  type OutboxInsert,
} from './notification-plan.ts';
import type { OutboxStore } from './outbox-store.ts';
import type { NotifiedEvent } from './pagerduty-event.ts';
import { directRecipients, inQuietHours, type Recipient, type RecipientDirectory } from './recipients.ts';

export interface EscalationEngineOptions {
  /** The tier's database, with the notifier's tables. */
  database: FeedDatabase;
  outbox: OutboxStore;
  /** The escalation policies in force, read at each use (the tier's resolved policy). */
  policies: () => readonly EscalationPolicy[];
  /** The routes in force: a step naming a route sends through it. */
  routes: () => readonly Webhook[];
  /** Default: email addresses and routes only (users are the BFF's, which passes its own). */
  directory?: RecipientDirectory | undefined;
  /**
   * A federating tier's view of the tiers below: the keys of the recipients they already told
   * about the alert. They are skipped, so one alert reaches one person once across tiers.
   */
  toldBelow?: ((alert: Alert) => Promise<ReadonlySet<string>>) | undefined;
  /**
   * How much later than the owner's clock says a step runs here: a federating tier waits so the
   * tiers below, whose steps fall due at the same time, have told theirs first. Default 0.
   */
  stepDelayMs?: number | undefined;
  /** Called after notifications were committed (the delivery worker's wake). */
  onQueued: () => void;
  logger: Logger;
  links?: PayloadLinks | undefined;
  /** The clock steps are timed by (tests pass a fake one and call tick()). */
  now?: (() => number) | undefined;
  /** How often start() looks for due steps. Default 5 s. */
  intervalMs?: number | undefined;
}

interface EscalationRow {
  policyId: string;
  alert: Alert;
  firedAt: number;
  nextStep: number;
  told: Recipient[];
}

const MINUTE_MS = 60_000;
/** Due escalations taken in one transaction. */
const TICK_BATCH = 100;
/** Escalations with a step due by $1 (epoch ms). */
const DUE_STEPS = `select policy_id as "policyId", alert, (extract(epoch from fired_at) * 1000)::float8 as "firedAt",
         next_step as "nextStep", told
    from notification_escalations
   where state = 'escalating' and next_at <= to_timestamp($1::float8 / 1000.0)`;

/** What a due step needs from outside the tier's transaction. */
interface StepLookup {
  named: Recipient[];
  below: ReadonlySet<string>;
  /** Only the channels this tier alone holds are told now; the rest wait for the step delay. */
  early: boolean;
}

/** An outbox row before its `change_seq` is drawn (all of a batch's rows are numbered at once). */
type UnnumberedInsert = Omit<OutboxInsert, 'changeSeq'>;

/** An escalation's next state, as one step leaves it. */
interface Advance {
  policyId: string;
  alertId: string;
  state: string;
  nextAt: number | null;
  nextStep: number;
  told: Recipient[];
}

/** One due step: what it queues, where its escalation goes, and what it told (for the log). */
interface StepPlan {
  notifications: UnnumberedInsert[];
  advance: Advance;
  told?: Record<string, unknown>;
}

/** Channels only this tier can reach: no tier below holds them, so they need not wait for one. */
const TOLD_ONLY_HERE: ReadonlySet<Recipient['channel']> = new Set(['push']);

const dueKey = (row: EscalationRow): string => `${row.policyId}\u0000${row.alert.id}\u0000${row.nextStep}`;

/**
 * Runs a tier's escalation policies: an alert one selects is told to its first step's targets,
 * then to each next step's when its time comes and nobody has acked; the last step repeats every
 * `repeatMinutes`. An ack stops it (PagerDuty routes told hear `acknowledge`), a resolve stops it
 * and goes to everyone told. Its state is in `notification_escalations`, so a restart resumes it.
 */
export class EscalationEngine {
  readonly #options: EscalationEngineOptions;
  readonly #now: () => number;
  readonly #directory: RecipientDirectory;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();
  #tickQueued = false;

  constructor(options: EscalationEngineOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#directory = options.directory ?? directRecipients;
    this.#logger = options.logger.child({ component: 'escalation' });
  }

  /**
   * Takes alert changes: a fire starts the policies that select the alert, an ack or a resolve
   * stops them and queues what it tells. Pass the change's transaction as `tx` to commit with it
   * (then wake the worker and this engine after the commit); without it, it commits and wakes the
   * worker by itself. Returns the escalations started and notifications queued.
   */
  async apply(changes: readonly AlertChange[], tx?: RawExecutor): Promise<number> {
    if (tx) return this.#apply(changes, tx);
    const queued = await this.#options.database.transaction((own) => this.#apply(changes, own));
    if (queued > 0) this.#options.onQueued();
    return queued;
  }

  /** Tells every step due by now; returns the notifications it queued. */
  async tick(): Promise<number> {
    let queued = 0;
    for (;;) {
      // Recipients and whom the tiers below told are looked up first, outside the transaction: the
      // lookups read the tier's own database and ask other tiers, and on PGlite (one connection)
      // a read beside an open transaction would wait for it forever.
      const lookups = await this.#lookUpDue(this.#now());
      if (lookups.size === 0) break;
      const [count, taken] = await this.#options.database.transaction((tx) => this.#tickBatch(tx, lookups));
      queued += count;
      if (taken < TICK_BATCH) break;
    }
    if (queued > 0) this.#options.onQueued();
    return queued;
  }

  /** Ticks every intervalMs (a failed tick, the database away, is tried at the next). */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.wake(), this.#options.intervalMs ?? 5000);
    this.#timer.unref();
    this.wake();
  }

  /**
   * Looks for due steps now (after a commit that started escalations). Wakes coalesce: one tick
   * tells everything due when it runs, so a burst of changes queues at most one tick behind the
   * running one (one tick per change fell behind a busy alert stream, seconds per alert).
   */
  wake(): void {
    if (this.#tickQueued) return;
    this.#tickQueued = true;
    this.#running = this.#running.then(() => {
      this.#tickQueued = false;
      return this.tick().catch((error: unknown) =>
        this.#logger.warn({ err: error }, 'escalation tick failed'),
      );
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  async #apply(changes: readonly AlertChange[], tx: RawExecutor): Promise<number> {
    let queued = 0;
    // Fires start together, in one statement; an ack or a resolve first lets the fires before it in.
    let firing: AlertChange[] = [];
    for (const change of changes) {
      const event = notifiedEvent(change);
      if (event === 'firing') firing.push(change);
      else if (event === 'acknowledged' || event === 'resolved') {
        queued += await this.#start(firing, tx);
        firing = [];
        queued += await this.#stop(change, event, tx);
      }
    }
    return queued + (await this.#start(firing, tx));
  }

  /** Returns how many escalations it started (their first step is due at the next tick). */
  async #start(changes: readonly AlertChange[], tx: RawExecutor): Promise<number> {
    const started = changes.flatMap((change) =>
      this.#options
        .policies()
        .filter((policy) => selects(policy, change.alert))
        .map((policy) => ({
          policyId: policy.id,
          alertId: change.alert.id,
          alert: change.alert,
          firedAt: change.at,
          nextAt: change.at + policy.steps[0]!.afterMinutes * MINUTE_MS,
        })),
    );
    if (started.length === 0) return 0;
    await tx.exec(
      `insert into notification_escalations (policy_id, alert_id, alert, fired_at, next_at)
       select "policyId", "alertId", alert, to_timestamp("firedAt" / 1000.0), to_timestamp("nextAt" / 1000.0)
         from jsonb_to_recordset($1::jsonb)
           as x("policyId" text, "alertId" text, alert jsonb, "firedAt" float8, "nextAt" float8)
       on conflict (policy_id, alert_id) do nothing`,
      [JSON.stringify(started)],
    );
    return started.length;
  }

  /** Stops the alert's escalations; tells what an ack or a resolve tells everyone they told. */
  async #stop(change: AlertChange, event: 'acknowledged' | 'resolved', tx: RawExecutor): Promise<number> {
    const stoppable = event === 'resolved' ? `('escalating', 'done', 'acked')` : `('escalating', 'done')`;
    const stopped = await tx.exec<{ policyId: string; told: Recipient[] }>(
      `update notification_escalations set state = $2, next_at = null, alert = $3::jsonb
        where alert_id = $1 and state in ${stoppable}
      returning policy_id as "policyId", told`,
      [change.alert.id, event === 'resolved' ? 'resolved' : 'acked', JSON.stringify(change.alert)],
    );
    const policies = new Map(this.#options.policies().map((policy) => [policy.id, policy]));
    const recipients = new Map<string, { recipient: Recipient; policyId: string }>();
    for (const { policyId, told } of stopped) {
      if (event === 'resolved' && policies.get(policyId)?.sendResolved === false) continue;
      for (const recipient of told) recipients.set(recipient.key, { recipient, policyId });
    }
    const rows = [...recipients.values()].flatMap(
      ({ recipient, policyId }) => this.#notification(recipient, change, event, policyId) ?? [],
    );
    return this.#options.outbox.insert(await this.#numbered(rows, tx), tx);
  }

  /** The due steps' recipients and whom the tiers below told, by escalation (`dueKey`). */
  async #lookUpDue(now: number): Promise<Map<string, StepLookup>> {
    const due = await this.#options.database.exec<EscalationRow & Record<string, unknown>>(
      `${DUE_STEPS} order by next_at limit ${TICK_BATCH}`,
      [now],
    );
    const lookups = new Map<string, StepLookup>();
    // Many alerts due at once mostly name the same people: each target is looked up once.
    const directory = new Map<string, Promise<readonly Recipient[]>>();
    for (const row of due) {
      const policy = this.#options.policies().find(({ id }) => id === row.policyId);
      if (!policy) {
        lookups.set(dueKey(row), { named: [], below: new Set(), early: false });
        continue;
      }
      const step = policy.steps[Math.min(row.nextStep, policy.steps.length - 1)]!;
      const repeating = row.nextStep >= policy.steps.length;
      const named = await this.#recipientsOf(step.notify, directory);
      // A step falls due at the owner's time. Channels only this tier holds (a browser's push
      // subscription lives in its database) are told then; the rest, which a tier below may have
      // told, after the step delay, once the tiers below went first.
      const waiting = named.some((r) => !TOLD_ONLY_HERE.has(r.channel));
      const early = !repeating && waiting && now < this.#lateAt(row, policy);
      lookups.set(dueKey(row), {
        named,
        below: repeating || early || !waiting ? new Set() : await this.#toldBelow(row.alert),
        early,
      });
    }
    return lookups;
  }

  /**
   * Runs the due steps of one batch in a few statements, whatever its size: whom the tier told
   * already is read once, the notifications are numbered and inserted together, and every
   * escalation advances in one update.
   */
  async #tickBatch(
    tx: RawExecutor,
    lookups: Map<string, StepLookup>,
  ): Promise<[queued: number, taken: number]> {
    const now = this.#now();
    const due = await tx.exec<EscalationRow & Record<string, unknown>>(
      `${DUE_STEPS} order by next_at limit ${TICK_BATCH} for update skip locked`,
      [now],
    );
    // A step that fell due after the lookups waits for the next tick.
    const steps = due.flatMap((row) => {
      const lookup = lookups.get(dueKey(row));
      return lookup ? [{ row, lookup }] : [];
    });
    const toldHere = await this.#options.outbox.firingRecipients(
      [...new Set(steps.map(({ row }) => row.alert.id))],
      tx,
    );
    const plans = steps.map(({ row, lookup }) => this.#planStep(row, lookup, now, toldHere));
    const queued = await this.#options.outbox.insert(
      await this.#numbered(
        plans.flatMap((plan) => plan.notifications),
        tx,
      ),
      tx,
    );
    await this.#advance(
      plans.map((plan) => plan.advance),
      tx,
    );
    for (const { told } of plans) if (told) this.#logger.info(told, 'escalation step told');
    return [queued, due.length];
  }

  /**
   * What one due step tells and where its escalation goes next. `toldHere` holds, by alert, whom
   * this tier told it fires; the step adds whom it tells, so a later step in the batch skips them.
   */
  #planStep(
    row: EscalationRow,
    lookup: StepLookup,
    now: number,
    toldHere: Map<string, Set<string>>,
  ): StepPlan {
    const policy = this.#options.policies().find(({ id }) => id === row.policyId);
    const key = { policyId: row.policyId, alertId: row.alert.id };
    if (!policy) {
      return {
        notifications: [],
        advance: { ...key, state: 'done', nextAt: null, nextStep: row.nextStep, told: row.told },
      };
    }
    const repeating = row.nextStep >= policy.steps.length;
    const change: AlertChange = { kind: 'fired', at: row.firedAt, alert: row.alert };
    const { early } = lookup;
    const named = early ? lookup.named.filter((r) => TOLD_ONLY_HERE.has(r.channel)) : lookup.named;
    const awake = named.filter(
      (r) =>
        inScope(r.scope, row.alert.nodePath) &&
        (row.alert.severity === 'critical' || !r.quietHours || !inQuietHours(r.quietHours, now)),
    );
    const here = toldHere.get(row.alert.id) ?? new Set<string>();
    toldHere.set(row.alert.id, here);
    // A repeat tells again whom this policy told; a first telling skips whoever heard already.
    const toTell = repeating ? awake : awake.filter((r) => !here.has(r.key) && !lookup.below.has(r.key));
    const notifications = toTell.flatMap(
      (recipient) => this.#notification(recipient, change, 'firing', policy.id) ?? [],
    );
    for (const notification of notifications) here.add(notification.recipient);
    const told = [...row.told, ...toTell.filter((r) => !row.told.some((t) => t.key === r.key))];
    if (early) {
      return {
        notifications,
        advance: {
          ...key,
          state: 'escalating',
          nextAt: this.#lateAt(row, policy),
          nextStep: row.nextStep,
          told,
        },
      };
    }
    const nextStep = Math.min(row.nextStep + 1, policy.steps.length);
    const next =
      nextStep < policy.steps.length
        ? row.firedAt + policy.steps[nextStep]!.afterMinutes * MINUTE_MS
        : policy.repeatMinutes === undefined
          ? null
          : now + policy.repeatMinutes * MINUTE_MS;
    return {
      notifications,
      advance: { ...key, state: next === null ? 'done' : 'escalating', nextAt: next, nextStep, told },
      told: {
        alertId: row.alert.id,
        policy: policy.id,
        step: row.nextStep,
        told: toTell.map((r) => r.name),
        skipped: named.length - toTell.length,
      },
    };
  }

  /** When the due step's recipients that tiers below could tell are told: after the step delay. */
  #lateAt(row: EscalationRow, policy: EscalationPolicy): number {
    const step = policy.steps[row.nextStep]!;
    return row.firedAt + step.afterMinutes * MINUTE_MS + (this.#options.stepDelayMs ?? 0);
  }

  /** The targets' recipients; `known` holds the targets already looked up in this tick. */
  async #recipientsOf(
    targets: EscalationPolicy['steps'][number]['notify'],
    known: Map<string, Promise<readonly Recipient[]>>,
  ): Promise<Recipient[]> {
    const found = await Promise.all(
      targets.map((target) => {
        const key = JSON.stringify(target);
        if (!known.has(key)) known.set(key, this.#directory(target));
        return known.get(key)!;
      }),
    );
    return [...new Map(found.flat().map((r) => [r.key, r])).values()];
  }

  /** Whom the tiers below told that the alert fires; none when they cannot be asked. */
  async #toldBelow(alert: Alert): Promise<ReadonlySet<string>> {
    if (!this.#options.toldBelow) return new Set();
    try {
      return await this.#options.toldBelow(alert);
    } catch (error) {
      // Unknown below: telling twice is better than telling no one.
      this.#logger.warn({ err: error, alertId: alert.id }, 'could not ask the tiers below whom they told');
      return new Set();
    }
  }

  /** Moves each escalation to its next step, state and told list, in one statement. */
  async #advance(advances: readonly Advance[], tx: RawExecutor): Promise<void> {
    if (advances.length === 0) return;
    await tx.exec(
      `update notification_escalations e
          set state = x.state, next_at = to_timestamp(x."nextAt" / 1000.0), next_step = x."nextStep", told = x.told
         from jsonb_to_recordset($1::jsonb)
           as x("policyId" text, "alertId" text, state text, "nextAt" float8, "nextStep" int4, told jsonb)
        where e.policy_id = x."policyId" and e.alert_id = x."alertId"`,
      [JSON.stringify(advances)],
    );
  }

  /** The rows with their `change_seq`s, drawn from the escalation sequence in one statement. */
  async #numbered(rows: readonly UnnumberedInsert[], tx: RawExecutor): Promise<OutboxInsert[]> {
    if (rows.length === 0) return [];
    const seqs = await tx.exec<{ seq: number }>(
      `select nextval('notification_escalation_seq')::float8 as seq from generate_series(1, $1::int4)`,
      [rows.length],
    );
    // Ascending, so of two rows about one alert the one planned first is sent first.
    const ordered = seqs.map(({ seq }) => seq).sort((a, b) => a - b);
    return rows.map((row, i) => ({ ...row, changeSeq: ordered[i]! }));
  }

  /**
   * The outbox row telling `recipient` the event (numbered later), or undefined when its route is
   * gone or deaf to it.
   */
  #notification(
    recipient: Recipient,
    change: AlertChange,
    event: NotifiedEvent,
    escalationId: string,
  ): UnnumberedInsert | undefined {
    const now = this.#now();
    const origin = { source: 'escalation' as const, escalationId };
    if (recipient.channel === 'email') {
      if (event === 'acknowledged') return undefined;
      return {
        ...origin,
        webhookId: recipient.key,
        channel: 'email',
        fingerprint: change.alert.fingerprint,
        payload: { ...alertEmail(change.alert, event, recipient.address, this.#options.links) },
        createdAt: now,
        nextAttemptAt: now,
        recipient: recipient.key,
        recipientName: recipient.name,
        alertId: change.alert.id,
        event,
      };
    }
    if (recipient.channel === 'push') {
      // The phone already shows the alert; an ack made there or elsewhere needs no second buzz.
      if (event === 'acknowledged' || !recipient.push) return undefined;
      const push: PushNotification = {
        endpoint: recipient.address,
        keys: recipient.push,
        message: alertPush(change.alert, event, this.#options.links, recipient.mayAck !== false),
      };
      return {
        ...origin,
        webhookId: recipient.key,
        channel: 'push',
        fingerprint: change.alert.fingerprint,
        payload: { ...push },
        createdAt: now,
        nextAttemptAt: now,
        recipient: recipient.key,
        recipientName: recipient.name,
        alertId: change.alert.id,
        event,
      };
    }
    const route = this.#options.routes().find(({ id }) => id === recipient.address);
    if (!route) {
      this.#logger.warn(
        { route: recipient.address, escalation: escalationId },
        'an escalation names a route this tier does not have',
      );
      return undefined;
    }
    if (!routeTells(route, event)) return undefined;
    return { ...routeNotification(route, change, event, now, this.#options.links), ...origin };
  }
}
