// What `npm start` says about device access: one probe takes anonymous devices for a hand-run
// mosquitto_pub; the others refuse them, and their simulated devices log in (docs/decisions/0025).
import { join } from 'node:path';
import type { Deployment } from '@tierscope/test-support/deployment';

/** The probe left open to anonymous devices. */
export const OPEN_PROBES: readonly string[] = ['probe-a'];

/** The lines `npm start` prints about device logins, with a mosquitto_pub to try. */
export function describeDeviceAccess(deployment: Deployment, dataDir: string, caCert?: string): string[] {
  const probes = deployment.nodes.filter((node) => node.id.startsWith('probe-'));
  const open = probes.filter((node) => deployment.openProbes.includes(node.id));
  const guarded = probes.filter((node) => !deployment.openProbes.includes(node.id));
  const example = open[0];
  return [
    ...(example
      ? [
          `  device MQTT:          ${open.map((n) => n.id).join(', ')} takes anonymous devices; try:`,
          `                        mosquitto_pub -p ${new URL(example.mqttUrl).port}${caCert ? ` --cafile ${caCert}` : ''} -t devices/x1/telemetry -m '{"metrics":{"temp":99.5}}'`,
          '                        (the demo policy\'s "Temperature above 40 °C" fires for x1 at once)',
        ]
      : []),
    ...(guarded.length > 0
      ? [
          `  device logins:        ${guarded.map((n) => n.id).join(', ')} refuse anonymous devices (DEVICE_AUTH=required);`,
          `                        the simulated ones log in as themselves (${join(dataDir, '<probe>', 'simulator-logins.csv')});`,
          '                        make credentials with devices.create, devices.importCsv or devices.rotateCredentials',
        ]
      : []),
  ];
}
