// The suite's exactly-once accounting, pure: what the devices and the operator were told happened
// (acked samples, alert transitions) against what the probe stored and the BFF lists.
import { benchMessage, SAMPLES_PER_MESSAGE } from '../../bench/lib/payloads.ts';

/** Message numbers from the simulator's acked files; a line cut short by a SIGKILL is ignored. */
export function parseAcked(text: string): number[] {
  const lines = text.split('\n');
  // The last element is '' after a complete last line, or a fragment: either way not a message.
  lines.pop();
  return lines.filter((line) => /^\d+$/.test(line)).map(Number);
}

/** One (device, ts) of the bench workload as the probe stored it: its rows and distinct metrics. */
export interface StoredGroup {
  deviceId: string;
  ts: number;
  rows: number;
  metrics: number;
}

export interface SampleCounts {
  /** Acked messages, in samples. */
  acked: number;
  /** Acked samples not stored. */
  ackedMissing: number;
  /** Samples stored more than once. */
  duplicates: number;
}

/** Every acked message must be stored with all its samples, and nothing stored twice. */
export function accountSamples(
  acked: Iterable<number>,
  stored: readonly StoredGroup[],
  t0: number,
): SampleCounts {
  const byKey = new Map<string, StoredGroup>();
  let duplicates = 0;
  for (const group of stored) {
    duplicates += group.rows - group.metrics;
    byKey.set(`${group.deviceId}@${group.ts}`, group);
  }
  let ackedSamples = 0;
  let ackedMissing = 0;
  for (const m of new Set(acked)) {
    const message = benchMessage(m, t0);
    ackedSamples += SAMPLES_PER_MESSAGE;
    const group = byKey.get(`${message.deviceId}@${message.ts}`);
    ackedMissing += SAMPLES_PER_MESSAGE - Math.min(SAMPLES_PER_MESSAGE, group?.metrics ?? 0);
  }
  return { acked: ackedSamples, ackedMissing, duplicates };
}

/** What the suite's alert traffic did to one device, counting only publishes the broker acked. */
export interface DeviceAlertHistory {
  /** Episodes started: violating samples published after a clear one (or first). */
  fired: number;
  /** Whether the last acked sample was clear: the last episode must be resolved (after the clear delay). */
  cleared: boolean;
}

/** An alert as the BFF lists it, the fields the accounting reads. */
export interface ListedAlert {
  id: string;
  deviceId: string | null;
  ruleId: string;
  state: string;
}

export interface AlertCounts {
  /** Episodes started or resolved at the probe that the BFF does not show. */
  missing: number;
  /** Episodes the BFF shows more than once (more episodes than were started). */
  duplicates: number;
}

/** Each started episode listed once by the BFF, the last one resolved when the device went clear. */
export function accountAlerts(
  expected: ReadonlyMap<string, DeviceAlertHistory>,
  listed: readonly ListedAlert[],
  ruleId: string,
): AlertCounts {
  let missing = 0;
  let duplicates = 0;
  for (const [deviceId, history] of expected) {
    const episodes = listed.filter((alert) => alert.ruleId === ruleId && alert.deviceId === deviceId);
    missing += Math.max(0, history.fired - episodes.length);
    duplicates += Math.max(0, episodes.length - history.fired);
    const open = episodes.filter((alert) => alert.state !== 'resolved').length;
    // Every episode but the newest is resolved; the newest is open unless the device went clear.
    const expectedOpen = history.fired > 0 && !history.cleared ? 1 : 0;
    missing += Math.abs(open - expectedOpen);
  }
  return { missing, duplicates };
}

/** The changes of one alert the BFF's live stream delivered. */
export interface StreamedAlert {
  fired: number;
  resolved: number;
}

/**
 * Each listed alert of the rule fired once on the stream, and resolved once if it is resolved;
 * a change seen twice (or for an alert the list does not have) is a duplicate.
 */
export function accountStream(
  listed: readonly ListedAlert[],
  streamed: ReadonlyMap<string, StreamedAlert>,
  ruleId: string,
): AlertCounts {
  let missing = 0;
  let duplicates = 0;
  const ids = new Set<string>();
  for (const alert of listed) {
    if (alert.ruleId !== ruleId) continue;
    ids.add(alert.id);
    const seen = streamed.get(alert.id) ?? { fired: 0, resolved: 0 };
    const resolved = alert.state === 'resolved' ? 1 : 0;
    missing += Math.max(0, 1 - seen.fired) + Math.max(0, resolved - seen.resolved);
    duplicates += Math.max(0, seen.fired - 1) + Math.max(0, seen.resolved - resolved);
  }
  for (const [id, seen] of streamed) if (!ids.has(id)) duplicates += seen.fired + seen.resolved;
  return { missing, duplicates };
}
