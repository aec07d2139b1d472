import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import {
  commandAckTopic,
  commandsTopic,
  configReportedTopic,
  configTopic,
  statusTopic,
} from '@tierscope/shared';
import { waitFor } from './node-process.ts';

const run = promisify(execFile);

/** A command as a device receives it on `devices/{id}/commands`. */
export interface ReceivedCommand {
  id: string;
  name: string;
  params?: Record<string, unknown>;
}

/**
 * A device played by the real Mosquitto clients: `mosquitto_sub` listens on its commands topic,
 * `mosquitto_pub` sends its status and acks. One instance is one device id.
 */
export class MosquittoDevice {
  private listener: ChildProcess | undefined;
  private output = '';
  private taken = 0;

  constructor(
    private readonly brokerUrl: string,
    readonly deviceId: string,
  ) {}

  /** Connects and subscribes to its commands; resolves once the broker granted the subscription. */
  async listen(): Promise<void> {
    const { hostname, port } = new URL(this.brokerUrl);
    // stdbuf: a piped mosquitto_sub buffers its output, and the test reads it line by line as it comes.
    const listener = spawn('stdbuf', [
      ...['-oL', 'mosquitto_sub'],
      ...['-h', hostname, '-p', port, '-i', `${this.deviceId}-listener`, '-q', '1', '-d'],
      ...['-t', commandsTopic(this.deviceId)],
    ]);
    listener.stdout.setEncoding('utf8');
    listener.stdout.on('data', (chunk: string) => {
      this.output += chunk;
    });
    this.listener = listener;
    await waitFor(`${this.deviceId} subscribed`, async () => this.output.includes('received SUBACK'), 10_000);
  }

  /** Disconnects, as a device going away does. */
  async leave(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    if (!listener || listener.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      listener.once('exit', () => resolve());
      listener.kill('SIGTERM');
    });
  }

  /** Every command received so far, in order. */
  received(): ReceivedCommand[] {
    return this.output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as ReceivedCommand);
  }

  /** The next command not taken yet, waiting for it to arrive. */
  async nextCommand(): Promise<ReceivedCommand> {
    await waitFor(`a command for ${this.deviceId}`, async () => this.received().length > this.taken, 15_000);
    return this.received()[this.taken++]!;
  }

  async status(status: 'online' | 'offline'): Promise<void> {
    await this.publish(statusTopic(this.deviceId), status);
  }

  /** Acks on this device's ack topic (any payload: a forged one too). */
  async ack(payload: Record<string, unknown>): Promise<void> {
    await this.publish(commandAckTopic(this.deviceId), JSON.stringify(payload));
  }

  /**
   * Subscribes to its config topic as a device that just connected and returns the first message:
   * the retained desired configuration (fails after `timeoutSeconds` without one).
   */
  async retainedConfig(timeoutSeconds = 10): Promise<unknown> {
    const { hostname, port } = new URL(this.brokerUrl);
    const { stdout } = await run('mosquitto_sub', [
      ...['-h', hostname, '-p', port, '-i', `${this.deviceId}-config`, '-q', '1'],
      ...['-t', configTopic(this.deviceId), '-C', '1', '-W', String(timeoutSeconds)],
    ]);
    return JSON.parse(stdout) as unknown;
  }

  /** Reports on this device's config/reported topic (any payload). */
  async reportConfig(payload: Record<string, unknown>): Promise<void> {
    await this.publish(configReportedTopic(this.deviceId), JSON.stringify(payload));
  }

  private async publish(topic: string, message: string): Promise<void> {
    const { hostname, port } = new URL(this.brokerUrl);
    await run('mosquitto_pub', [
      ...['-h', hostname, '-p', port, '-i', `${this.deviceId}-publisher`, '-q', '1'],
      ...['-t', topic, '-m', message],
    ]);
  }
}
