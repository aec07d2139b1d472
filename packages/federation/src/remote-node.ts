import {
  Alert,
  AlertChange,
  AlertPage,
  RulePage,
  Silence,
  SilencePage,
  StoredRule,
  type AckAlertInput,
  type Actor,
  type AlertRef,
  type CreateSilenceInput,
  type ListAlertsInput,
  type ListRulesInput,
  type ListSilencesInput,
  type RuleRef,
  type SilenceRef,
  type UpsertRuleInput,
  Coverage,
  Cursor,
  NotFoundError,
  RevokedChildToken,
  RotatedChildToken,
  type ChildTokenInput,
  Device,
  DeviceCredentials,
  LatestValues,
  NodeInfo,
  Series,
  type DeviceRef,
  type ListDeadLettersInput,
  type ListDevicesInput,
  type NodeService,
  type QuarantineDeviceInput,
  type ReleaseDeviceInput,
  type RotateDeviceCredentialsInput,
  type SearchEventsInput,
  type SeriesInput,
  type UpsertDeviceInput,
} from '@tierscope/shared';
import { z } from 'zod';
import { iterableStreamMember, type AlertStreamHandlers } from './alert-stream.ts';
import { runAsActor } from './acting-user.ts';
import type { ChildLink } from './child-link.ts';
import type { DeadLetterOrderFields, DeviceOrderFields, EventOrderFields, Page, Unchecked } from './merge.ts';

/**
 * A list page as a parent reads it from a child: the envelope in full, each item only for the
 * fields its list is ordered by (the rest passes through). The merge checks every item it takes
 * against the contract (merge.ts): a fan-out reads `limit` items from each child but answers only
 * `limit` in all, and checking every one cost the parent most of its CPU per fan-out.
 */
function listedPageOf<S extends z.ZodRawShape>(orderFields: S) {
  return z.object({
    items: z.array(z.looseObject(orderFields)),
    nextCursor: Cursor.nullable(),
    coverage: Coverage,
  });
}
const ListedDevices = listedPageOf({ name: z.string(), nodePath: z.string(), id: z.string() });
const ListedEvents = listedPageOf({ ts: z.number(), nodePath: z.string(), id: z.string() });
const ListedDeadLetters = listedPageOf({ receivedAt: z.number(), nodePath: z.string(), id: z.string() });

/**
 * The node contract as a parent calls it: each call takes the fan-out's abort signal. A child's
 * answer is validated against the contract here (a list page's items when the merge takes them),
 * so one bad child is one `error` in coverage, never a broken merged answer.
 */
export interface RemoteNode {
  node: {
    info(signal: AbortSignal): Promise<NodeInfo>;
    rotateChildToken(input: ChildTokenInput, signal: AbortSignal): Promise<RotatedChildToken>;
    revokeChildToken(input: ChildTokenInput, signal: AbortSignal): Promise<RevokedChildToken>;
  };
  devices: {
    list(input: ListDevicesInput, signal: AbortSignal): Promise<Page<Unchecked<DeviceOrderFields>>>;
    get(ref: DeviceRef, signal: AbortSignal): Promise<Device>;
    upsert(input: UpsertDeviceInput, signal: AbortSignal): Promise<Device>;
    rotateCredentials(
      input: RotateDeviceCredentialsInput,
      actor: Actor,
      signal: AbortSignal,
    ): Promise<DeviceCredentials>;
    quarantine(input: QuarantineDeviceInput, actor: Actor, signal: AbortSignal): Promise<Device>;
    release(input: ReleaseDeviceInput, actor: Actor, signal: AbortSignal): Promise<Device>;
  };
  metrics: {
    latest(ref: DeviceRef, signal: AbortSignal): Promise<LatestValues>;
    series(input: SeriesInput, signal: AbortSignal): Promise<Series>;
  };
  events: {
    search(input: SearchEventsInput, signal: AbortSignal): Promise<Page<Unchecked<EventOrderFields>>>;
  };
  deadLetters: {
    list(input: ListDeadLettersInput, signal: AbortSignal): Promise<Page<Unchecked<DeadLetterOrderFields>>>;
  };
  alerts: {
    list(input: ListAlertsInput, signal: AbortSignal): Promise<AlertPage>;
    ack(input: AckAlertInput, actor: Actor, signal: AbortSignal): Promise<Alert>;
    unack(input: AlertRef, actor: Actor, signal: AbortSignal): Promise<Alert>;
    /** Opens the live stream after `lastEventId`; returns the function that closes it. */
    watch(lastEventId: string | undefined, handlers: AlertStreamHandlers): () => void;
  };
  silences: {
    list(input: ListSilencesInput, signal: AbortSignal): Promise<SilencePage>;
    create(input: CreateSilenceInput, actor: Actor, signal: AbortSignal): Promise<Silence>;
    expire(ref: SilenceRef, actor: Actor, signal: AbortSignal): Promise<Silence>;
  };
  rules: {
    list(input: ListRulesInput, signal: AbortSignal): Promise<RulePage>;
    upsert(input: UpsertRuleInput, actor: Actor, signal: AbortSignal): Promise<StoredRule>;
    delete(ref: RuleRef, actor: Actor, signal: AbortSignal): Promise<StoredRule>;
  };
}

/** One remote per link: a federating tier builds its service per call, and links outlive calls. */
const remotes = new WeakMap<ChildLink, RemoteNode>();

export function remoteOfLink(link: ChildLink): RemoteNode {
  let remote = remotes.get(link);
  if (remote === undefined) {
    remote = remoteOfClient(link.client);
    remotes.set(link, remote);
  }
  return remote;
}

function remoteOfClient(client: ChildLink['client']): RemoteNode {
  return {
    node: {
      info: (signal) => client.node.info.query(undefined, { signal }).then((v) => NodeInfo.parse(v)),
      rotateChildToken: (input, signal) =>
        client.node.rotateChildToken.mutate(input, { signal }).then((v) => RotatedChildToken.parse(v)),
      revokeChildToken: (input, signal) =>
        client.node.revokeChildToken.mutate(input, { signal }).then((v) => RevokedChildToken.parse(v)),
    },
    devices: {
      list: (input, signal) =>
        client.devices.list.query(input, { signal }).then((v) => ListedDevices.parse(v)),
      get: (ref, signal) => client.devices.get.query(ref, { signal }).then((v) => Device.parse(v)),
      upsert: (input, signal) => client.devices.upsert.mutate(input, { signal }).then((v) => Device.parse(v)),
      rotateCredentials: (input, actor, signal) =>
        runAsActor(actor, () => client.devices.rotateCredentials.mutate(input, { signal })).then((v) =>
          DeviceCredentials.parse(v),
        ),
      quarantine: (input, actor, signal) =>
        runAsActor(actor, () => client.devices.quarantine.mutate(input, { signal })).then((v) =>
          Device.parse(v),
        ),
      release: (input, actor, signal) =>
        runAsActor(actor, () => client.devices.release.mutate(input, { signal })).then((v) =>
          Device.parse(v),
        ),
    },
    metrics: {
      latest: (ref, signal) =>
        client.metrics.latest.query(ref, { signal }).then((v) => LatestValues.parse(v)),
      series: (input, signal) => client.metrics.series.query(input, { signal }).then((v) => Series.parse(v)),
    },
    events: {
      search: (input, signal) =>
        client.events.search.query(input, { signal }).then((v) => ListedEvents.parse(v)),
    },
    deadLetters: {
      list: (input, signal) =>
        client.deadLetters.list.query(input, { signal }).then((v) => ListedDeadLetters.parse(v)),
    },
    alerts: {
      list: (input, signal) => client.alerts.list.query(input, { signal }).then((v) => AlertPage.parse(v)),
      // Mutations carry the acting user, so the owning node records who did it.
      ack: (input, actor, signal) =>
        runAsActor(actor, () => client.alerts.ack.mutate(input, { signal })).then((v) => Alert.parse(v)),
      unack: (input, actor, signal) =>
        runAsActor(actor, () => client.alerts.unack.mutate(input, { signal })).then((v) => Alert.parse(v)),
      watch: (lastEventId, handlers) => {
        const subscription = client.alerts.watch.subscribe(
          { lastEventId: lastEventId ?? null },
          {
            onStarted: () => handlers.onUp(),
            onData: (event) => {
              const parsed = AlertChange.safeParse(event.data);
              if (parsed.success) handlers.onItem({ id: event.id, change: parsed.data });
              else handlers.onEnd(new Error(`child sent an invalid alert change: ${parsed.error.message}`));
            },
            onError: (error) => handlers.onEnd(error),
            onComplete: () => handlers.onEnd(),
            onConnectionStateChange: (state) => {
              if (state.state === 'connecting' && state.error) handlers.onDown(state.error.message);
              if (state.state === 'pending') handlers.onUp();
            },
          },
        );
        return () => subscription.unsubscribe();
      },
    },
    silences: {
      list: (input, signal) =>
        client.silences.list.query(input, { signal }).then((v) => SilencePage.parse(v)),
      create: (input, actor, signal) =>
        runAsActor(actor, () => client.silences.create.mutate(input, { signal })).then((v) =>
          Silence.parse(v),
        ),
      expire: (ref, actor, signal) =>
        runAsActor(actor, () => client.silences.expire.mutate(ref, { signal })).then((v) => Silence.parse(v)),
    },
    rules: {
      list: (input, signal) => client.rules.list.query(input, { signal }).then((v) => RulePage.parse(v)),
      upsert: (input, actor, signal) =>
        runAsActor(actor, () => client.rules.upsert.mutate(input, { signal })).then((v) =>
          StoredRule.parse(v),
        ),
      delete: (ref, actor, signal) =>
        runAsActor(actor, () => client.rules.delete.mutate(ref, { signal })).then((v) => StoredRule.parse(v)),
    },
  };
}

/** A node's own local service, called in-process; it cannot be aborted, the deadline still applies. */
export function remoteOfService(service: NodeService): RemoteNode {
  return {
    node: {
      info: () => service.node.info(),
      rotateChildToken: (input) =>
        service.node.rotateChildToken ? service.node.rotateChildToken(input) : noChildren(input),
      revokeChildToken: (input) =>
        service.node.revokeChildToken ? service.node.revokeChildToken(input) : noChildren(input),
    },
    devices: {
      list: (input) => service.devices.list(input),
      get: (ref) => service.devices.get(ref),
      upsert: (input) => service.devices.upsert(input),
      rotateCredentials: (input, actor) => service.devices.rotateCredentials(input, actor),
      quarantine: (input, actor) => service.devices.quarantine(input, actor),
      release: (input, actor) => service.devices.release(input, actor),
    },
    metrics: {
      latest: (ref) => service.metrics.latest(ref),
      series: (input) => service.metrics.series(input),
    },
    events: { search: (input) => service.events.search(input) },
    deadLetters: { list: (input) => service.deadLetters.list(input) },
    alerts: {
      list: (input) => service.alerts.list(input),
      ack: (input, actor) => service.alerts.ack(input, actor),
      unack: (input, actor) => service.alerts.unack(input, actor),
      watch: (lastEventId, handlers) =>
        iterableStreamMember('', '', (id, signal) =>
          service.alerts.watch({ lastEventId: id ?? null }, signal),
        ).open(lastEventId, handlers),
    },
    silences: {
      list: (input) => service.silences.list(input),
      create: (input, actor) => service.silences.create(input, actor),
      expire: (ref, actor) => service.silences.expire(ref, actor),
    },
    rules: {
      list: (input) => service.rules.list(input),
      upsert: (input, actor) => service.rules.upsert(input, actor),
      delete: (ref, actor) => service.rules.delete(ref, actor),
    },
  };
}

/** A node's own service answers for its children only when it federates some. */
function noChildren(input: { nodePath: string }): Promise<never> {
  return Promise.reject(new NotFoundError(`no uplink child ${input.nodePath}`));
}
