// The ingest benchmarks' one workload: message m comes from device m % 200, and its timestamp
// advances by 1 ms per message of that device, so (device, metric, ts) never repeats.

export const BENCH_DEVICES = 200;
export const BENCH_METRICS = ['temperature_c', 'humidity_pct', 'power_kw', 'pressure_hpa'] as const;
export const SAMPLES_PER_MESSAGE = BENCH_METRICS.length;

const deviceIds = Array.from({ length: BENCH_DEVICES }, (_, i) => `bench-dev-${String(i).padStart(3, '0')}`);
const topics = deviceIds.map((id) => `devices/${id}/telemetry`);

export interface BenchMessage {
  deviceId: string;
  topic: string;
  ts: number;
  values: readonly [number, number, number, number];
}

export function benchMessage(m: number, t0: number): BenchMessage {
  const device = m % BENCH_DEVICES;
  const seq = Math.floor(m / BENCH_DEVICES);
  // Cheap, varied, deterministic values with the decimals a real device sends.
  const wobble = ((m * 7919) % 1000) / 1000;
  return {
    deviceId: deviceIds[device]!,
    topic: topics[device]!,
    ts: t0 + seq,
    values: [
      Math.round((18 + 6 * wobble) * 100) / 100,
      Math.round((35 + 30 * wobble) * 100) / 100,
      Math.round((5 + 20 * wobble) * 1000) / 1000,
      Math.round((990 + 40 * wobble) * 100) / 100,
    ],
  };
}

/** The telemetry payload of the device API, ~116 bytes. */
export function encodePayload(message: BenchMessage): string {
  const [a, b, c, d] = message.values;
  return `{"ts":${message.ts},"metrics":{"temperature_c":${a},"humidity_pct":${b},"power_kw":${c},"pressure_hpa":${d}}}`;
}

export function meanPayloadBytes(sample = 10_000): number {
  let total = 0;
  for (let m = 0; m < sample; m++) total += Buffer.byteLength(encodePayload(benchMessage(m, Date.now())));
  return total / sample;
}

/** COPY text-format rows (device, metric, ts, value) for `messages` messages from `fromMessage` on. */
export function copyLines(fromMessage: number, messages: number, t0: number): string {
  let text = '';
  // A timestamp repeats for 200 consecutive messages: format it once.
  let lastTs = -1;
  let ts = '';
  for (let m = fromMessage; m < fromMessage + messages; m++) {
    const message = benchMessage(m, t0);
    if (message.ts !== lastTs) {
      lastTs = message.ts;
      ts = new Date(lastTs).toISOString();
    }
    for (let k = 0; k < SAMPLES_PER_MESSAGE; k++) {
      text += `${message.deviceId}\t${BENCH_METRICS[k]}\t${ts}\t${message.values[k]}\n`;
    }
  }
  return text;
}
