// Devices that answer commands, for benches and tests: one MQTT client per probe answers every command published to
// any device of that probe's embedded broker (DEVICE_AUTH=off lets it subscribe to all of them),
// on that device's own ack topic, the way each device would.
import mqtt, { type MqttClient } from 'mqtt';
import { CommandPayload, commandAckTopic } from '@tierscope/shared';

export interface CommandResponder {
  /** Commands answered so far. */
  readonly answered: number;
  /** Commands that arrived unreadable (a bench run with any is invalid). */
  readonly unreadable: number;
  stop(): Promise<void>;
}

export async function startCommandResponder(mqttUrl: string, clientId: string): Promise<CommandResponder> {
  const client: MqttClient = await mqtt.connectAsync(mqttUrl, { clientId, clean: true });
  let answered = 0;
  let unreadable = 0;
  client.on('message', (topic, payload) => {
    const deviceId = /^devices\/([^/]+)\/commands$/.exec(topic)?.[1];
    const parsed = CommandPayload.safeParse(jsonOf(payload.toString('utf8')));
    if (deviceId === undefined || !parsed.success) {
      unreadable++;
      return;
    }
    answered++;
    // An ack still unsent when the bench stops its devices is lost with them; the outcome counts it.
    client
      .publishAsync(
        commandAckTopic(deviceId),
        JSON.stringify({ id: parsed.data.id, ok: true, result: { done: parsed.data.name } }),
        { qos: 1 },
      )
      .catch(() => undefined);
  });
  await client.subscribeAsync('devices/+/commands', { qos: 1 });
  return {
    get answered() {
      return answered;
    },
    get unreadable() {
      return unreadable;
    },
    stop: () => client.endAsync(),
  };
}

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
