import mqtt from 'mqtt';
import { remoteOfClient, type ChildLink } from '@tierscope/federation';
import type { Rule, TrackedAlertChange } from '@tierscope/shared';

/** A rule for every device of a node: `temp` above 50 fires at once (what publishTemperature sends). */
export const BOILER_TOO_HOT: Rule = {
  id: 'hot',
  name: 'Boiler too hot',
  severity: 'critical',
  enabled: true,
  scope: { devicePattern: '*', labels: {} },
  condition: { kind: 'threshold', metric: 'temp', operator: '>', value: 50, hysteresis: 0, forMs: 0 },
};

/** A live alert subscriber (a parent, or the console): keeps every change and counts lost connections. */
export function subscribeToAlerts(target: ChildLink, lastEventId?: string) {
  const items: TrackedAlertChange[] = [];
  let drops = 0;
  const stop = remoteOfClient(target.client).watchAlerts(lastEventId, {
    onItem: (item) => items.push(item),
    onDown: () => (drops += 1),
    onUp: () => {},
    onEnd: () => {},
  });
  return { items, drops: () => drops, stop };
}

/**
 * The changes of the alerts a node raised itself (its rules', not the tiers' `node-unreachable`
 * ones, nor stale/fresh marks), in stream order, as `kind id @at`: what must arrive exactly once.
 */
export function ownAlertChanges(items: readonly TrackedAlertChange[], nodePath: string): string[] {
  return items
    .filter(
      (i) =>
        i.change.kind !== 'stale' &&
        i.change.kind !== 'fresh' &&
        i.change.alert.nodePath === nodePath &&
        i.change.alert.ruleId !== 'node-unreachable',
    )
    .map((i) => `${i.change.kind} ${i.change.alert.id} @${i.change.at}`);
}

/** One `temp` sample from `deviceId`, published at QoS 1 to a node's broker. */
export async function publishTemperature(mqttUrl: string, deviceId: string, temp: number): Promise<void> {
  const client = await mqtt.connectAsync(mqttUrl, { clientId: `pub-${deviceId}-${Date.now()}` });
  await client.publishAsync(`devices/${deviceId}/telemetry`, JSON.stringify({ metrics: { temp } }), {
    qos: 1,
  });
  await client.endAsync();
}
