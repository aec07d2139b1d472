import type { Actor } from '../domain/roles.ts';
import type { AlertsService, RulesService, SilencesService } from './alerting.service.ts';
import type { DeadLetterPage, ListDeadLettersInput } from './dead-letters.schemas.ts';
import type {
  CountDevicesInput,
  Device,
  DeviceCounts,
  DeviceCredentials,
  DevicePage,
  DeviceRef,
  ListDevicesInput,
  QuarantineDeviceInput,
  ReleaseDeviceInput,
  RotateDeviceCredentialsInput,
  UpsertDeviceInput,
} from './devices.schemas.ts';
import type {
  ConfigChange,
  ConfigCounts,
  ConfigPage,
  CountConfigsInput,
  DeviceConfig,
  ListConfigsInput,
  SetConfigInput,
} from './device-config.schemas.ts';
import type {
  CreateDeviceInput,
  DeviceImportEvent,
  ImportDevicesCsvInput,
  ProvisionDevicesInput,
  ProvisionedDevices,
} from './device-provisioning.schemas.ts';
import type {
  Command,
  CommandHistory,
  CommandJob,
  CommandCatalog,
  CommandCatalogInput,
  CommandJobInput,
  CommandManyInput,
  ListCommandsInput,
  SendCommandInput,
  TrackedCommand,
  WatchCommandsInput,
} from './commands.schemas.ts';
import type { EventPage, SearchEventsInput } from './events.schemas.ts';
import type { NodeHistory, NodeHistoryInput } from './node-history.schemas.ts';
import type { PolicyService } from './policy.service.ts';
import type { ReportFigures, ReportFiguresInput } from './reports.schemas.ts';
import type { FleetMetricAnswer, FleetMetricInput } from './fleet-metrics.schemas.ts';
import type { LatestValues, Series, SeriesInput } from './metrics.schemas.ts';
import type {
  ChildTokenInput,
  NodeInfo,
  RevokedChildToken,
  RotatedChildToken,
  WatchNodeInput,
} from './node.schemas.ts';

export interface NodeInfoService {
  info(): Promise<NodeInfo>;
  /** The node's own recorded series: a leaf its own, a federating node one per node of its subtree. */
  history(input: NodeHistoryInput): Promise<NodeHistory>;
  /**
   * The node's info now, then every `intervalMs`, until `signal` aborts. Optional: without it,
   * `node.watch` polls `info()` (see `watchNodeInfo`).
   */
  watch?(input: WatchNodeInput, signal: AbortSignal): AsyncIterable<NodeInfo>;
  /**
   * A new token for the uplink child at `input.nodePath`, set at the tier it attaches to: its old
   * token stops working and its socket is dropped; the other children are untouched. Only
   * federating tiers have children: elsewhere NotFoundError.
   */
  rotateChildToken?(input: ChildTokenInput, actor: Actor): Promise<RotatedChildToken>;
  revokeChildToken?(input: ChildTokenInput, actor: Actor): Promise<RevokedChildToken>;
}

export interface DevicesService {
  list(input: ListDevicesInput): Promise<DevicePage>;
  /** Throws NotFoundError when the node has no such device. */
  get(ref: DeviceRef): Promise<Device>;
  /** Devices by status, counted at each node and summed by the tiers above. */
  count(input: CountDevicesInput): Promise<DeviceCounts>;
  /** Registers the device or updates its name, kind, site and labels; audited with `actor`. */
  upsert(input: UpsertDeviceInput, actor: Actor): Promise<Device>;
  /**
   * New broker credentials for the device (registered or not yet seen), audited with `actor`. The
   * old password is refused from now on; a connection already open stays (quarantine cuts one).
   */
  rotateCredentials(input: RotateDeviceCredentialsInput, actor: Actor): Promise<DeviceCredentials>;
  /**
   * Quarantines a registered device (NotFoundError otherwise; BadRequestError for an `until` in the
   * past), replacing any quarantine it is in; audited with `actor`.
   */
  quarantine(input: QuarantineDeviceInput, actor: Actor): Promise<Device>;
  /** Ends the device's quarantine now; audited with `actor` when there was one. */
  release(input: ReleaseDeviceInput, actor: Actor): Promise<Device>;
  /**
   * Makes the device with new credentials (docs/decisions/0025); BadRequestError when it has
   * credentials already. Audited with `actor`, never with the password.
   */
  create(input: CreateDeviceInput, actor: Actor): Promise<DeviceCredentials>;
  /** Makes a batch of devices, each with credentials, or refuses each row with why. */
  provision(input: ProvisionDevicesInput, actor: Actor): Promise<ProvisionedDevices>;
  /** Reads a device CSV and imports it (`importDevicesCsv`), streaming progress, then the result. */
  importCsv(input: ImportDevicesCsvInput, actor: Actor): AsyncIterable<DeviceImportEvent>;
  /**
   * Stores a command for a registered device (NotFoundError otherwise) after checking it against
   * the device kind's declaration (BadRequestError, nothing stored or published); audited with `actor`.
   */
  command(input: SendCommandInput, actor: Actor): Promise<Command>;
  /** One command to each device the selector picks (docs/decisions/0033-bulk-commands.md). */
  commandMany(input: CommandManyInput, actor: Actor): Promise<CommandJob>;
  commandJob(input: CommandJobInput): Promise<CommandJob>;
  commandCatalog(input: CommandCatalogInput): Promise<CommandCatalog>;
  commands(input: ListCommandsInput): Promise<CommandHistory>;
  /** The device's command changes until `signal` aborts (see WatchCommandsInput). */
  watchCommands(input: WatchCommandsInput, signal: AbortSignal): AsyncIterable<TrackedCommand>;
  /**
   * A new desired configuration for each device the selector picks, each at its next version,
   * published retained to the device (docs/decisions/0036-desired-configuration.md); audited.
   */
  setConfig(input: SetConfigInput, actor: Actor): Promise<ConfigChange>;
  /** One device's desired and reported configuration, its state and the diff (NotFoundError for no device). */
  config(ref: DeviceRef): Promise<DeviceConfig>;
  /** The configured devices, in devices.list order, optionally only those in one state. */
  configs(input: ListConfigsInput): Promise<ConfigPage>;
  configCounts(input: CountConfigsInput): Promise<ConfigCounts>;
}

export interface MetricsService {
  latest(ref: DeviceRef): Promise<LatestValues>;
  /** At most `maxPoints` buckets, read from the finest source that fits (raw, minute, hour). */
  series(input: SeriesInput): Promise<Series>;
  /** Partials over the node's own devices (a leaf) or merged over its members (docs/decisions/0028). */
  fleet(input: FleetMetricInput): Promise<FleetMetricAnswer>;
}

export interface EventsService {
  search(input: SearchEventsInput): Promise<EventPage>;
}

export interface ReportsService {
  /** The period's figures: a leaf over its own store, a federating node merged over its members. */
  figures(input: ReportFiguresInput): Promise<ReportFigures>;
}

export interface DeadLettersService {
  list(input: ListDeadLettersInput): Promise<DeadLetterPage>;
}

/**
 * Everything a tier node answers. A leaf implements it over its own store; a federating node over
 * its children; the routers only delegate to the one found in context.
 *
 * One method per procedure of `nodeRouter`, under the same group and name, called the same way: a
 * query's method takes its input, a mutation's its input and the acting user, a subscription's its
 * input and an abort signal. The code that only passes calls along is derived from that
 * (procedures.ts, docs/decisions/0016).
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
  policy: PolicyService;
  reports: ReportsService;
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
