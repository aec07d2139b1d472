import type { AlertsService, RulesService, SilencesService } from './alerting.service.ts';
import type { DeadLetterPage, ListDeadLettersInput } from './dead-letters.schemas.ts';
import type {
  Device,
  DevicePage,
  DeviceRef,
  ListDevicesInput,
  UpsertDeviceInput,
} from './devices.schemas.ts';
import type { EventPage, SearchEventsInput } from './events.schemas.ts';
import type { LatestValues, Series, SeriesInput } from './metrics.schemas.ts';
import type { NodeInfo, WatchNodeInput } from './node.schemas.ts';

export interface NodeInfoService {
  info(): Promise<NodeInfo>;
  /**
   * The node's info now, then every `intervalMs`, until `signal` aborts. Optional: without it,
   * `node.watch` polls `info()` (see `watchNodeInfo`).
   */
  watch?(input: WatchNodeInput, signal: AbortSignal): AsyncIterable<NodeInfo>;
}

export interface DevicesService {
  list(input: ListDevicesInput): Promise<DevicePage>;
  /** Throws NotFoundError when the node has no such device. */
  get(ref: DeviceRef): Promise<Device>;
  /** Registers the device or updates its name, kind, site and labels. */
  upsert(input: UpsertDeviceInput): Promise<Device>;
}

export interface MetricsService {
  latest(ref: DeviceRef): Promise<LatestValues>;
  /** At most `maxPoints` buckets, read from the finest source that fits (raw, minute, hour). */
  series(input: SeriesInput): Promise<Series>;
}

export interface EventsService {
  search(input: SearchEventsInput): Promise<EventPage>;
}

export interface DeadLettersService {
  list(input: ListDeadLettersInput): Promise<DeadLetterPage>;
}

/**
 * Everything a tier node answers. A leaf implements it over its own store; a federating node over
 * its children; the routers only delegate to the one found in context.
 */
export interface NodeService {
  node: NodeInfoService;
  devices: DevicesService;
  metrics: MetricsService;
  events: EventsService;
  deadLetters: DeadLettersService;
  alerts: AlertsService;
  silences: SilencesService;
  rules: RulesService;
}

/**
 * What `node.watch` streams: the service's own `watch` when it has one, else `info()` now and
 * then every `intervalMs` after the previous answer, until `signal` aborts. An `info()` that
 * throws ends the stream with that error.
 */
export async function* watchNodeInfo(
  service: NodeInfoService,
  input: WatchNodeInput,
  signal: AbortSignal = new AbortController().signal,
): AsyncGenerator<NodeInfo, void, undefined> {
  if (service.watch) {
    yield* service.watch(input, signal);
    return;
  }
  while (!signal.aborted) {
    yield await service.info();
    await pause(input.intervalMs, signal);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
