import {
  DeadLetterPage,
  Device,
  DevicePage,
  EventPage,
  LatestValues,
  NodeInfo,
  Series,
  type DeviceRef,
  type ListDeadLettersInput,
  type ListDevicesInput,
  type NodeService,
  type SearchEventsInput,
  type SeriesInput,
  type UpsertDeviceInput,
} from '@tierscope/shared';
import type { ChildLink } from './child-link.ts';

/**
 * The node contract as a parent calls it: each call takes the fan-out's abort signal. A child's
 * answer is validated against the contract here, so one bad child is one `error` in coverage,
 * never a broken merged answer.
 */
export interface RemoteNode {
  node: { info(signal: AbortSignal): Promise<NodeInfo> };
  devices: {
    list(input: ListDevicesInput, signal: AbortSignal): Promise<DevicePage>;
    get(ref: DeviceRef, signal: AbortSignal): Promise<Device>;
    upsert(input: UpsertDeviceInput, signal: AbortSignal): Promise<Device>;
  };
  metrics: {
    latest(ref: DeviceRef, signal: AbortSignal): Promise<LatestValues>;
    series(input: SeriesInput, signal: AbortSignal): Promise<Series>;
  };
  events: { search(input: SearchEventsInput, signal: AbortSignal): Promise<EventPage> };
  deadLetters: { list(input: ListDeadLettersInput, signal: AbortSignal): Promise<DeadLetterPage> };
}

export function remoteOfLink({ client }: ChildLink): RemoteNode {
  return {
    node: { info: (signal) => client.node.info.query(undefined, { signal }).then((v) => NodeInfo.parse(v)) },
    devices: {
      list: (input, signal) => client.devices.list.query(input, { signal }).then((v) => DevicePage.parse(v)),
      get: (ref, signal) => client.devices.get.query(ref, { signal }).then((v) => Device.parse(v)),
      upsert: (input, signal) => client.devices.upsert.mutate(input, { signal }).then((v) => Device.parse(v)),
    },
    metrics: {
      latest: (ref, signal) =>
        client.metrics.latest.query(ref, { signal }).then((v) => LatestValues.parse(v)),
      series: (input, signal) => client.metrics.series.query(input, { signal }).then((v) => Series.parse(v)),
    },
    events: {
      search: (input, signal) =>
        client.events.search.query(input, { signal }).then((v) => EventPage.parse(v)),
    },
    deadLetters: {
      list: (input, signal) =>
        client.deadLetters.list.query(input, { signal }).then((v) => DeadLetterPage.parse(v)),
    },
  };
}

/** A node's own local service, called in-process; it cannot be aborted, the deadline still applies. */
export function remoteOfService(service: NodeService): RemoteNode {
  return {
    node: { info: () => service.node.info() },
    devices: {
      list: (input) => service.devices.list(input),
      get: (ref) => service.devices.get(ref),
      upsert: (input) => service.devices.upsert(input),
    },
    metrics: {
      latest: (ref) => service.metrics.latest(ref),
      series: (input) => service.metrics.series(input),
    },
    events: { search: (input) => service.events.search(input) },
    deadLetters: { list: (input) => service.deadLetters.list(input) },
  };
}
