// The suite's device simulator, a process of its own in the probe's namespace: publishes the bench
// workload (bench/lib/payloads.ts) at QoS 1 at a steady rate, and appends the number of every
// message the broker PUBACKed to a file, written at once, so the count survives a SIGKILL.
// Environment: TRAFFIC_URL, TRAFFIC_ACKED_FILE, TRAFFIC_FIRST (first message number),
// TRAFFIC_RATE (messages per second), TRAFFIC_T0 (the workload's base timestamp).
import { openSync, writeSync } from 'node:fs';
import mqtt from 'mqtt';
import { benchMessage, encodePayload } from '../../bench/lib/payloads.ts';

/** Unacknowledged publishes allowed at once: while the broker is away the rate drops to zero. */
const WINDOW = 500;

const env = (key: string): string => {
  const value = process.env[key];
  if (value === undefined) throw new Error(`${key} is not set`);
  return value;
};
const url = env('TRAFFIC_URL');
const ackedFd = openSync(env('TRAFFIC_ACKED_FILE'), 'a');
const first = Number(env('TRAFFIC_FIRST'));
const rate = Number(env('TRAFFIC_RATE'));
const t0 = Number(env('TRAFFIC_T0'));

const client = mqtt.connect(url, {
  clientId: `faults-simulator-${process.pid}`,
  clean: true,
  reconnectPeriod: 500,
  connectTimeout: 5000,
});
client.on('error', (error) => process.stderr.write(`simulator: ${error.message}\n`));

let next = first;
let inFlight = 0;
const started = Date.now();
const tick = (): void => {
  const due = first + Math.floor(((Date.now() - started) * rate) / 1000);
  while (next < due && inFlight < WINDOW) {
    const m = next++;
    const message = benchMessage(m, t0);
    inFlight++;
    client.publish(message.topic, encodePayload(message), { qos: 1 }, (error) => {
      inFlight--;
      if (!error) writeSync(ackedFd, `${m}\n`);
    });
  }
  // Messages not sent while the window was full are skipped, not sent late in a burst.
  if (next < due) next = due;
};
setInterval(tick, 20);

const stop = (): void => {
  client.end(false, {}, () => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
