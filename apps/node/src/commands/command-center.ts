import { randomUUID } from 'node:crypto';
import { EventEmitter, on } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  BadRequestError,
  commandsTopic,
  countCommandJob,
  decodeCursor,
  encodeCursor,
  NotFoundError,
  selfCoverage,
  type Actor,
  type Command,
  type CommandCatalog,
  type CommandCatalogInput,
  type CommandHistory,
  type CommandJob,
  type CommandJobInput,
  type CommandJobRefusal,
  type CommandManyInput,
  type CommandPayload,
  type ListCommandsInput,
  type SendCommandInput,
  type TrackedCommand,
} from '@tierscope/shared';
import type { NodeStore } from '../store/client.ts';
import { audit } from '../store/audit.ts';
import { CommandStore, type CommandRow, type SequencedCommand } from '../store/command-store.ts';
import { selectDevices } from '../store/device-selection.ts';
import type { BatchResult, IngestBatch } from '../store/ingest-store.ts';
import type { CommandCheck } from './command-check.ts';
import type { CommandMetrics } from './command-metrics.ts';

/** How the node reaches its devices: the embedded broker, or its own session with an external one. */
export interface CommandPublisher {
  /** Resolves once the broker has taken the message (QoS 1). */
  publish(topic: string, payload: string, options: { qos: 1 }): Promise<void>;
}

export interface CommandCenterOptions {
  store: NodeStore;
  nodePath: string;
  check: CommandCheck;
  /** Read at each publish: the broker intake starts after the center is built. */
  publisher: () => CommandPublisher;
  logger: Logger;
  metrics?: CommandMetrics | undefined;
  now?: () => number;
}

/**
 * Commands of one node, from the call that stores them to their outcome (states in
 * commands.schemas.ts). A command is published only while its device is not known to be offline;
 * otherwise it waits, and goes out when the device is heard from again (its `online` status or any
 * message), unless its TTL ran out first. The ack is settled by the ingest batch that commits it
 * (ANSWER_COMMANDS), so an answer is as durable as the telemetry beside it; the timers here only
 * give up on commands (timed out, expired), each guarded by the state it expects.
 */
export class CommandCenter {
  readonly #store: CommandStore;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  /** Devices with queued commands, so a batch's device list is checked without a query. */
  readonly #waiting = new Map<string, number>();
  /** The device of each queued command, to count it out of `#waiting` once it leaves the queue. */
  readonly #waitingIds = new Map<string, string>();
  readonly #changes = new EventEmitter({ captureRejections: false });
  readonly #now: () => number;
  #started = false;
  #stopped = false;

  constructor(private readonly options: CommandCenterOptions) {
    this.#store = new CommandStore(options.store);
    this.#now = options.now ?? Date.now;
    this.#changes.setMaxListeners(0);
  }

  /** Picks up the stored open commands (their timers, the queued ones' devices) and sends what can go. */
  async start(): Promise<void> {
    for (const command of await this.#store.open()) this.track(command);
    this.#started = true;
    this.updateOpenGauge();
    for (const deviceId of [...this.#waiting.keys()])
      if ((await this.deviceStatus(deviceId)) !== 'offline') await this.sendQueued(deviceId);
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  async send(input: SendCommandInput, actor: Actor): Promise<Command> {
    this.assertOwnPath(input.nodePath);
    const [device] = await this.options.store.exec<{ kind: string; status: string }>(
      `SELECT kind, status FROM devices WHERE id = $1`,
      [input.deviceId],
    );
    if (!device) throw new NotFoundError(`no device ${input.deviceId} on ${this.options.nodePath}`);
    let params;
    try {
      params = this.options.check.check(device.kind, input.name, input.params);
    } catch (error) {
      if (error instanceof BadRequestError) this.options.metrics?.refused.inc();
      throw error;
    }
    const row = newCommandRow(input.deviceId, { ...input, params }, actor, this.#now());
    const stored = await this.options.store.transaction(async (tx) => {
      await audit(tx, actor, 'command.send', input.deviceId, {
        commandId: row.id,
        name: row.name,
        params,
        timeoutMs: row.timeoutMs,
        ttlMs: row.ttlMs,
      });
      return this.#store.insert(row, tx);
    });
    this.changed(stored);
    if (device.status === 'offline') return this.asCommand(stored.command);
    return this.asCommand((await this.publish(stored.command)) ?? stored.command);
  }

  /**
   * One command to each of this node's devices the selector picks (one job: `jobId`, or a new one).
   * Each device's kind is checked as for a single command; a device whose kind refuses it is named
   * in `refused` and gets nothing. The commands are stored in one transaction and audited once; then
   * those of devices not known to be offline are published, at most `ratePerSecond` a second, after
   * this answers (the others wait for their device, as a single command does).
   */
  async sendMany(input: CommandManyInput, actor: Actor): Promise<CommandJob> {
    const startedAt = this.#now();
    const { selector } = input;
    this.assertOwnPath(selector.nodePath);
    const jobId = input.jobId ?? randomUUID();
    const devices = await selectDevices(this.options.store, selector, this.options.nodePath);
    const rows: CommandRow[] = [];
    const refused: CommandJobRefusal[] = [];
    for (const device of devices) {
      try {
        const params = this.options.check.check(device.kind, input.name, input.params);
        rows.push(newCommandRow(device.id, { ...input, params }, actor, startedAt));
      } catch (error) {
        if (!(error instanceof BadRequestError)) throw error;
        this.options.metrics?.refused.inc();
        refused.push({ nodePath: this.options.nodePath, deviceId: device.id, message: error.message });
      }
    }
    const stored = await this.options.store.transaction(async (tx) => {
      await audit(tx, actor, 'command.send.bulk', jobId, {
        jobId,
        name: input.name,
        params: input.params,
        selector,
        devices: rows.length,
        refused: refused.length,
      });
      return new CommandStore(tx).insertJob(rows, jobId);
    });
    for (const change of stored) this.changed(change);
    const offline = new Set(devices.filter((d) => d.status === 'offline').map((d) => d.id));
    const now = stored.map((change) => change.command).filter((command) => !offline.has(command.deviceId));
    this.publishPaced(now, input.ratePerSecond).catch((error: unknown) =>
      this.options.logger.error({ err: error, jobId }, 'bulk command: publishing stopped'),
    );
    return this.jobOf(
      jobId,
      stored.map(({ command }) => command),
      refused,
      this.#now() - startedAt,
    );
  }

  /** A bulk command's commands at this node, as they stand. */
  async job(input: CommandJobInput): Promise<CommandJob> {
    this.assertOwnPath(input.nodePath);
    const startedAt = this.#now();
    const commands = await this.#store.ofJob(input.jobId);
    return this.jobOf(input.jobId, commands, [], this.#now() - startedAt);
  }

  /** The commands this node's devices take, by kind (the policy in force). */
  catalog(input: CommandCatalogInput): CommandCatalog {
    this.assertOwnPath(input.nodePath);
    return { commands: this.options.check.declared(), coverage: selfCoverage(this.options.nodePath, 0) };
  }

  /** Publishes the commands one after another, the i-th not before i / rate seconds from now. */
  private async publishPaced(commands: readonly CommandRow[], ratePerSecond: number): Promise<void> {
    const startedAt = Date.now();
    for (const [i, command] of commands.entries()) {
      if (this.#stopped) return;
      const waitMs = startedAt + (i * 1000) / ratePerSecond - Date.now();
      if (waitMs > 0) await sleep(waitMs);
      await this.publish(command);
    }
  }

  private jobOf(
    jobId: string,
    commands: readonly Pick<CommandRow, 'id' | 'deviceId' | 'state' | 'error'>[],
    refused: CommandJobRefusal[],
    latencyMs: number,
  ): CommandJob {
    const { nodePath } = this.options;
    const items = commands.map(({ id, deviceId, state, error }) => ({
      nodePath,
      deviceId,
      commandId: id,
      state,
      error,
    }));
    return {
      jobId,
      counts: countCommandJob(items),
      items,
      refused,
      // A node reaches its own devices: only a federating tier has children that may not answer.
      rosters: [],
      coverage: selfCoverage(nodePath, latencyMs),
    };
  }

  /** The device's commands, newest first. */
  async history(input: ListCommandsInput): Promise<CommandHistory> {
    this.assertOwnPath(input.nodePath);
    const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, HistoryPosition);
    const rows = await this.#store.history(input.deviceId, input.limit + 1, after);
    const items = rows.slice(0, input.limit);
    const last = items.at(-1);
    return {
      nodePath: this.options.nodePath,
      deviceId: input.deviceId,
      items: items.map((row) => this.asCommand(row)),
      nextCursor:
        rows.length > input.limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
    };
  }

  /** What a committed ingest batch means for commands: settled ones, and devices heard from. */
  committed(batch: IngestBatch, result: BatchResult): void {
    for (const change of result.commandChanges ?? []) {
      this.clearTimer(change.command.id);
      this.changed(change);
    }
    if (!this.#started || this.#waiting.size === 0) return;
    const heard = new Set(batch.seen.keys());
    for (const status of batch.statuses) {
      if (status.status === 'online') heard.add(status.deviceId);
      else heard.delete(status.deviceId);
    }
    for (const deviceId of heard)
      if (this.#waiting.has(deviceId))
        this.sendQueued(deviceId).catch((error: unknown) =>
          this.options.logger.error({ err: error, deviceId }, 'queued commands not sent'),
        );
  }

  /** The device's command changes, resumable after a change sequence number (see WatchCommandsInput). */
  async *watch(
    ref: { nodePath?: string | undefined; deviceId: string },
    lastEventId: string | null | undefined,
    signal: AbortSignal,
  ): AsyncGenerator<TrackedCommand, void, undefined> {
    this.assertOwnPath(ref.nodePath);
    const { deviceId } = ref;
    let after = lastEventId == null || lastEventId === '' ? undefined : Number(lastEventId);
    if (after !== undefined && !Number.isSafeInteger(after))
      throw new BadRequestError('lastEventId is not a command change id of this node');
    // Listening before reading the store: a change made meanwhile is in one or the other (or both).
    const live = on(this.#changes, deviceId, { signal });
    try {
      for (const change of await this.#store.changesSince(deviceId, after)) {
        after = change.seq;
        yield this.tracked(change);
      }
      for await (const [change] of live as AsyncIterable<[SequencedCommand]>) {
        if (after !== undefined && change.seq <= after) continue;
        after = change.seq;
        yield this.tracked(change);
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }

  private assertOwnPath(nodePath: string | undefined): void {
    if (nodePath !== undefined && nodePath !== this.options.nodePath)
      throw new NotFoundError(`node path ${nodePath} is not this node (${this.options.nodePath})`);
  }

  private async sendQueued(deviceId: string): Promise<void> {
    for (const command of await this.#store.queuedFor(deviceId)) await this.publish(command);
  }

  /**
   * Marks the command sent, then publishes it: an ack that overtakes the publish's own callback
   * finds it `sent`. A publish the broker refuses puts it back in the queue.
   */
  private async publish(command: CommandRow): Promise<CommandRow | undefined> {
    if (this.#stopped) return undefined;
    const sent = await this.#store.transition(command.id, 'queued', 'sent', this.#now());
    if (!sent) return undefined;
    this.clearTimer(command.id);
    this.changed(sent);
    const payload: CommandPayload = { id: command.id, name: command.name, params: command.params };
    try {
      await this.options.publisher().publish(commandsTopic(command.deviceId), JSON.stringify(payload), {
        qos: 1,
      });
      this.options.metrics?.published.inc();
    } catch (error) {
      this.options.logger.warn({ err: error, commandId: command.id }, 'command not published; queued again');
      const queued = await this.#store.transition(command.id, 'sent', 'queued', this.#now());
      if (queued) this.changed(queued);
      return queued?.command;
    }
    return sent.command;
  }

  /** Records what a stored change means here: timers, the waiting devices, watchers, metrics. */
  private changed(change: SequencedCommand): void {
    this.track(change.command);
    this.#changes.emit(change.command.deviceId, change);
    const { state, sentAt, finishedAt } = change.command;
    if (state !== 'queued' && state !== 'sent') {
      this.options.metrics?.finished.inc({ state });
      if (sentAt !== null && finishedAt !== null && (state === 'succeeded' || state === 'failed'))
        this.options.metrics?.roundTrip.observe((finishedAt - sentAt) / 1000);
    }
    this.updateOpenGauge();
  }

  /** Arms the command's timer for the state it is in, and counts its device as waiting while queued. */
  private track(command: CommandRow): void {
    this.clearTimer(command.id);
    this.unwait(command.id);
    if (command.state === 'queued') {
      this.#waitingIds.set(command.id, command.deviceId);
      this.#waiting.set(command.deviceId, (this.#waiting.get(command.deviceId) ?? 0) + 1);
      this.arm(
        command,
        command.createdAt + command.ttlMs,
        'expired',
        'the device was offline for its whole TTL',
      );
    } else if (command.state === 'sent' && command.sentAt !== null) {
      this.arm(
        command,
        command.sentAt + command.timeoutMs,
        'timed_out',
        `no answer within ${command.timeoutMs} ms`,
      );
    }
  }

  private unwait(commandId: string): void {
    const deviceId = this.#waitingIds.get(commandId);
    if (deviceId === undefined) return;
    this.#waitingIds.delete(commandId);
    const left = (this.#waiting.get(deviceId) ?? 1) - 1;
    if (left > 0) this.#waiting.set(deviceId, left);
    else this.#waiting.delete(deviceId);
  }

  private arm(command: CommandRow, at: number, to: 'expired' | 'timed_out', error: string): void {
    const from = command.state;
    const timer = setTimeout(
      () => {
        this.#timers.delete(command.id);
        this.giveUp(command, from, to, error).catch((failure: unknown) =>
          this.options.logger.error({ err: failure, commandId: command.id }, 'command not given up'),
        );
      },
      Math.max(0, at - this.#now()),
    );
    this.#timers.set(command.id, timer);
  }

  private async giveUp(
    command: CommandRow,
    from: Command['state'],
    to: 'expired' | 'timed_out',
    error: string,
  ): Promise<void> {
    if (this.#stopped) return;
    const given = await this.options.store.transaction(async (tx) => {
      const change = await new CommandStore(tx).transition(command.id, from, to, this.#now(), error);
      if (change)
        await audit(tx, COMMANDS_ACTOR, `command.${to}`, command.deviceId, {
          commandId: command.id,
          name: command.name,
          error,
        });
      return change;
    });
    if (given) this.changed(given);
  }

  private clearTimer(commandId: string): void {
    const timer = this.#timers.get(commandId);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#timers.delete(commandId);
  }

  private updateOpenGauge(): void {
    this.options.metrics?.open.set(this.#timers.size);
  }

  private async deviceStatus(deviceId: string): Promise<string | undefined> {
    const [row] = await this.options.store.exec<{ status: string }>(
      `SELECT status FROM devices WHERE id = $1`,
      [deviceId],
    );
    return row?.status;
  }

  private tracked(change: SequencedCommand): TrackedCommand {
    return { id: String(change.seq), command: this.asCommand(change.command) };
  }

  private asCommand(row: CommandRow): Command {
    return { ...row, nodePath: this.options.nodePath };
  }
}

/** A command to store, queued, with a new id. */
function newCommandRow(
  deviceId: string,
  command: Pick<CommandRow, 'name' | 'params' | 'timeoutMs' | 'ttlMs'>,
  actor: Actor,
  createdAt: number,
): CommandRow {
  const { name, params, timeoutMs, ttlMs } = command;
  return {
    id: randomUUID(),
    deviceId,
    name,
    params,
    state: 'queued',
    timeoutMs,
    ttlMs,
    createdBy: `${actor.kind}:${actor.name}`,
    createdAt,
    sentAt: null,
    finishedAt: null,
    result: null,
    error: null,
  };
}

const HistoryPosition = z.object({ createdAt: z.number(), id: z.string() });

/** Who the node's own give-ups (timeouts, expiries) are audited as. */
const COMMANDS_ACTOR: Actor = { kind: 'system', name: 'commands', role: 'operator' };
