import type { Logger } from 'pino';
import {
  configDiff,
  configStateOf,
  configTopic,
  decodeDeviceCursor,
  devicePositionForOwnItems,
  deviceKeyOf,
  encodeDeviceCursor,
  NotFoundError,
  selfCoverage,
  ConfigState,
  type Actor,
  type ConfigChange,
  type ConfigCounts,
  type ConfigListItem,
  type ConfigPage,
  type ConfigPayload,
  type CountConfigsInput,
  type DeviceConfig,
  type DeviceRef,
  type ListConfigsInput,
  type SetConfigInput,
} from '@tierscope/shared';
import { audit } from '../store/audit.ts';
import type { NodeStore } from '../store/client.ts';
import { configStateSql, readDeviceConfig, SET_DESIRED_CONFIGS } from '../store/device-config-store.ts';
import { selectDevices } from '../store/device-selection.ts';
import { byCodePoint, SqlParams, whereAll } from '../services/order-sql.ts';
import { cutPage, elapsedSince } from '../services/paging.ts';
import { emptyOwnPage, pathSelects } from '../services/path-scoped.ts';

/** How the node reaches its devices' config topics: the embedded broker, or its own broker session. */
export interface ConfigPublisher {
  /** Resolves once the broker has taken the message (QoS 1), and holds it as the topic's retained one. */
  publish(topic: string, payload: string, options: { qos: 1; retain: true }): Promise<void>;
}

export interface DeviceConfigsOptions {
  store: NodeStore;
  nodePath: string;
  /** How long a new version is `pending` before a device that has not reported it is `drifted`. */
  graceMs: number;
  /** Read at each publish: the broker intake starts after this is built. */
  publisher: () => ConfigPublisher;
  logger: Logger;
  now?: () => number;
}

/**
 * The desired configuration of this node's devices (docs/decisions/0036-desired-configuration.md):
 * set per device at its next version and published retained on `devices/{id}/config`, so a device
 * that connects later, or reconnects, gets it from the broker. The reports come in through the
 * ingest (REPORT_CONFIGS, in the batch that commits them); states are computed when read.
 */
export class DeviceConfigs {
  readonly #now: () => number;
  #stopped = false;

  constructor(private readonly options: DeviceConfigsOptions) {
    this.#now = options.now ?? Date.now;
  }

  /**
   * Publishes every stored desired configuration again, so the broker holds each one retained (an
   * embedded broker starts empty; Mosquitto keeps them, and takes the same message again).
   */
  async start(): Promise<void> {
    const rows = await this.options.store.exec<{
      deviceId: string;
      version: number;
      document: ConfigPayload['config'];
    }>(`SELECT device_id AS "deviceId", version, document FROM device_config_desired ORDER BY device_id`);
    // In the background: a node with many devices starts without waiting for the broker to take them all.
    this.publishAll(rows)
      .then((published) =>
        this.options.logger.info({ configs: rows.length, published }, 'desired configurations published'),
      )
      .catch((error: unknown) =>
        this.options.logger.error({ err: error }, 'desired configurations not published'),
      );
  }

  stop(): void {
    this.#stopped = true;
  }

  /**
   * Stores the document as each selected device's next version (one statement, audited once), then
   * publishes them; answers once they are stored, so a publish that fails is retried at the next
   * start and the device shows as pending, then drifted, meanwhile.
   */
  async set(input: SetConfigInput, actor: Actor): Promise<ConfigChange> {
    const startedAt = performance.now();
    const { selector, config } = input;
    this.assertOwnPath(selector.nodePath);
    const devices = await selectDevices(this.options.store, selector, this.options.nodePath);
    const setAt = this.#now();
    const stored = await this.options.store.transaction(async (tx) => {
      const rows = await tx.exec<{ deviceId: string; version: number }>(SET_DESIRED_CONFIGS, [
        devices.map((d) => d.id),
        JSON.stringify(config),
        `${actor.kind}:${actor.name}`,
        setAt,
      ]);
      await audit(tx, actor, 'config.set', devices.length === 1 ? devices[0]!.id : 'devices', {
        selector,
        config,
        devices: rows.length,
      });
      return rows;
    });
    this.publishAll(stored.map((row) => ({ ...row, document: config }))).catch((error: unknown) =>
      this.options.logger.error({ err: error }, 'desired configurations not published'),
    );
    const { nodePath } = this.options;
    return {
      total: stored.length,
      items: stored.map(({ deviceId, version }) => ({ nodePath, deviceId, version })),
      coverage: selfCoverage(nodePath, elapsedSince(startedAt)),
    };
  }

  async get(ref: DeviceRef): Promise<DeviceConfig> {
    this.assertOwnPath(ref.nodePath);
    const [device] = await this.options.store.exec(`SELECT 1 FROM devices WHERE id = $1`, [ref.deviceId]);
    if (!device) throw new NotFoundError(`no device ${ref.deviceId} on ${this.options.nodePath}`);
    const rows = await readDeviceConfig(this.options.store, ref.deviceId);
    const { graceMs, nodePath } = this.options;
    const desired = rows.desired && {
      version: rows.desired.version,
      config: rows.desired.document,
      setBy: rows.desired.setBy,
      setAt: rows.desired.setAt,
    };
    const reported = rows.reported && {
      version: rows.reported.version,
      ok: rows.reported.ok,
      error: rows.reported.error,
      config: rows.reported.document,
      reportedAt: rows.reported.reportedAt,
    };
    const deviceDocument = reported?.config ?? rows.reportedVersionDocument;
    return {
      nodePath,
      deviceId: ref.deviceId,
      desired,
      reported,
      state: desired && configStateOf({ desired, reported, now: this.#now(), graceMs }),
      diff: desired && deviceDocument ? configDiff(desired.config, deviceDocument) : null,
      graceMs,
    };
  }

  /** Configured devices in devices.list order (name, then id), optionally of one state. */
  async list(input: ListConfigsInput): Promise<ConfigPage> {
    const { nodePath } = this.options;
    if (!pathSelects(input.nodePath, nodePath)) return emptyOwnPage(nodePath);
    const startedAt = performance.now();
    const params = new SqlParams();
    const state = configStateSql(params.add(this.#now()), params.add(this.options.graceMs));
    const where: string[] = [];
    if (input.state) where.push(`state = ${params.add(input.state)}`);
    if (input.cursor) {
      const position = devicePositionForOwnItems(decodeDeviceCursor(input.cursor), nodePath);
      const name = params.add(position.name);
      where.push(
        position.kind === 'after'
          ? `(name collate "C", id collate "C") > (${name}, ${params.add(position.id)})`
          : `name collate "C" ${position.inclusive ? '>=' : '>'} ${name}`,
      );
    }
    const rows = await this.options.store.exec<Omit<ConfigListItem, 'nodePath'>>(
      `SELECT * FROM (
         SELECT v.id, v.name, ${state} AS state, d.version AS "desiredVersion", d.set_at::float8 AS "setAt",
                r.version AS "reportedVersion", r.reported_at::float8 AS "reportedAt", r.error
           FROM device_config_desired d
           JOIN devices v ON v.id = d.device_id
           LEFT JOIN device_config_reported r ON r.device_id = d.device_id
       ) c ${whereAll(where)}
       ORDER BY ${byCodePoint('name')}, ${byCodePoint('id')} LIMIT ${params.add(input.limit + 1)}`,
      params.values,
    );
    const page = cutPage(
      rows,
      input.limit,
      (row): ConfigListItem => ({ ...row, nodePath, state: ConfigState.parse(row.state) }),
      (item) => encodeDeviceCursor(deviceKeyOf(item)),
    );
    return { ...page, coverage: selfCoverage(nodePath, elapsedSince(startedAt)) };
  }

  async counts(input: CountConfigsInput): Promise<ConfigCounts> {
    const { nodePath } = this.options;
    const byState: Record<ConfigState, number> = { in_sync: 0, pending: 0, drifted: 0 };
    if (!pathSelects(input.nodePath, nodePath))
      return { total: 0, byState, coverage: selfCoverage(nodePath, 0) };
    const startedAt = performance.now();
    const params = new SqlParams();
    const state = configStateSql(params.add(this.#now()), params.add(this.options.graceMs));
    const rows = await this.options.store.exec<{ state: string; count: number }>(
      `SELECT ${state} AS state, count(*)::int AS count
         FROM device_config_desired d
         JOIN devices v ON v.id = d.device_id
         LEFT JOIN device_config_reported r ON r.device_id = d.device_id
        GROUP BY 1`,
      params.values,
    );
    for (const row of rows) byState[ConfigState.parse(row.state)] = row.count;
    const total = rows.reduce((sum, row) => sum + row.count, 0);
    return { total, byState, coverage: selfCoverage(nodePath, elapsedSince(startedAt)) };
  }

  /** Publishes each configuration retained, one after another; returns how many the broker took. */
  private async publishAll(
    rows: readonly { deviceId: string; version: number; document: ConfigPayload['config'] }[],
  ): Promise<number> {
    let published = 0;
    for (const { deviceId, version, document } of rows) {
      if (this.#stopped) break;
      const payload: ConfigPayload = { version, config: document };
      try {
        await this.options.publisher().publish(configTopic(deviceId), JSON.stringify(payload), {
          qos: 1,
          retain: true,
        });
        published++;
      } catch (error) {
        // Stored all the same: the next start publishes it again, and the device shows as drifted meanwhile.
        this.options.logger.warn({ err: error, deviceId, version }, 'desired configuration not published');
      }
    }
    return published;
  }

  private assertOwnPath(nodePath: string | undefined): void {
    if (nodePath !== undefined && nodePath !== this.options.nodePath)
      throw new NotFoundError(`node path ${nodePath} is not this node (${this.options.nodePath})`);
  }
}
