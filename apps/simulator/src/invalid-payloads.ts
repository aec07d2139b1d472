// Deliberately broken telemetry, so the node's dead letters have something to show.

export interface MalformedPayload {
  payload: string;
  /** What is wrong with it, for the simulator's log. */
  flaw: string;
}

const MALFORMED: readonly ((tMs: number) => MalformedPayload)[] = [
  (t) => ({ flaw: 'truncated JSON', payload: `{"ts":${t},"metrics":{"temperature_c":21.` }),
  (t) => ({
    flaw: 'metric value is a string',
    payload: JSON.stringify({ ts: t, metrics: { temperature_c: '21.5' } }),
  }),
  (t) => ({ flaw: 'no metrics', payload: JSON.stringify({ ts: t, metrics: {} }) }),
  (t) => ({
    flaw: 'unknown field',
    payload: JSON.stringify({ ts: t, metrics: { temperature_c: 21.5 }, unit: 'C' }),
  }),
  (t) => ({ flaw: 'invalid metric name', payload: JSON.stringify({ ts: t, metrics: { 'temp °C': 21.5 } }) }),
  () => ({ flaw: 'not an object', payload: '[21.5, 45, 1013]' }),
  () => ({
    flaw: 'unparseable timestamp',
    payload: JSON.stringify({ ts: 'yesterday', metrics: { temperature_c: 21.5 } }),
  }),
];

/** The `n`th malformed payload; cycles through every kind of flaw in turn. */
export function malformedTelemetry(n: number, tMs: number): MalformedPayload {
  return MALFORMED[n % MALFORMED.length]!(tMs);
}

export const MALFORMED_KINDS = MALFORMED.length;
