// The policy `npm start` publishes when the BFF has none yet: rules for the simulated devices that
// their excursions cross (apps/simulator/src/demo-policy.test.ts checks levels against thresholds),
// and the README's hand-published `temp 99.5`. Also how to read what the BFF did with it.
import { CommandDeclarations, PolicyContent, type Rule } from '@tierscope/shared/schemas';

const EVERY_DEVICE = { devicePattern: '*', labels: {} };

const DEMO_RULES: Rule[] = [
  {
    id: 'temp-high',
    name: 'Temperature above 40 °C',
    severity: 'critical',
    enabled: true,
    scope: EVERY_DEVICE,
    // `temp` is what a device published by hand sends (README): one sample fires it.
    condition: { kind: 'threshold', metric: 'temp', operator: '>', value: 40, hysteresis: 2, forMs: 0 },
  },
  {
    id: 'room-too-warm',
    name: 'Room above 28 °C for 15 s',
    severity: 'warning',
    enabled: true,
    scope: EVERY_DEVICE,
    condition: {
      kind: 'threshold',
      metric: 'temperature_c',
      operator: '>',
      value: 28,
      hysteresis: 1,
      forMs: 15_000,
    },
  },
  {
    id: 'pump-motor-hot',
    name: 'Pump motor above 90 °C for 15 s',
    severity: 'critical',
    enabled: true,
    scope: { devicePattern: '*pump*', labels: {} },
    condition: {
      kind: 'threshold',
      metric: 'motor_temp_c',
      operator: '>',
      value: 90,
      hysteresis: 5,
      forMs: 15_000,
    },
  },
  {
    id: 'pump-pressure-swing',
    name: 'Pump pressure changing faster than 10 bar/min',
    severity: 'warning',
    enabled: true,
    scope: { devicePattern: '*pump*', labels: {} },
    condition: { kind: 'rate-of-change', metric: 'pressure_bar', perMinute: 10, forMs: 2_000 },
  },
  {
    id: 'device-offline',
    name: 'Device offline for 20 s',
    severity: 'warning',
    enabled: true,
    scope: EVERY_DEVICE,
    condition: { kind: 'device-offline', forMs: 20_000 },
  },
  {
    id: 'power-overload',
    name: 'Power meter reports an overload',
    severity: 'critical',
    enabled: true,
    scope: EVERY_DEVICE,
    condition: {
      kind: 'event-match',
      eventType: 'overload',
      minSeverity: 'critical',
      resolveAfterMs: 30_000,
    },
  },
];

/** The metrics a rule compares: a node refuses a rule on a metric it has never stored unless declared. */
export function metricsNamedBy(rules: readonly Rule[]): string[] {
  const named = rules.flatMap(({ condition }) =>
    'metric' in condition && condition.metric ? [condition.metric] : [],
  );
  return [...new Set(named)].sort();
}

const EVERY_KIND_COMMANDS = {
  reboot: { description: 'Restart the device; it answers once it is back.' },
  'set-interval': {
    description: 'How often the device sends its telemetry.',
    params: {
      type: 'object',
      properties: {
        seconds: { type: 'integer', minimum: 1, maximum: 3600, description: 'Seconds between messages' },
      },
      required: ['seconds'],
    },
  },
  identify: {
    description: 'Blink the device’s light so someone on site can find it.',
    params: {
      type: 'object',
      properties: { seconds: { type: 'integer', minimum: 1, maximum: 60, description: 'How long to blink' } },
    },
  },
};

/** The commands the simulated devices answer (apps/simulator), per kind. */
export const DEMO_COMMANDS: CommandDeclarations = CommandDeclarations.parse({
  thermostat: {
    ...EVERY_KIND_COMMANDS,
    'set-target': {
      description: 'The temperature the thermostat holds.',
      params: {
        type: 'object',
        properties: { celsius: { type: 'number', minimum: 5, maximum: 30 } },
        required: ['celsius'],
        additionalProperties: false,
      },
    },
  },
  'power-meter': EVERY_KIND_COMMANDS,
  'air-quality': EVERY_KIND_COMMANDS,
  pump: {
    ...EVERY_KIND_COMMANDS,
    'set-speed': {
      description: 'The pump motor’s speed.',
      params: {
        type: 'object',
        properties: { rpm: { type: 'integer', minimum: 0, maximum: 3000 } },
        required: ['rpm'],
        additionalProperties: false,
      },
    },
  },
});

/**
 * One bundle for the whole tree. Its metrics are declared: it is published before any simulated
 * device has sent a sample.
 */
export const DEMO_POLICY: PolicyContent = PolicyContent.parse({
  bundles: [
    {
      name: 'demo',
      target: '**',
      rules: DEMO_RULES,
      declaredMetrics: metricsNamedBy(DEMO_RULES),
      commands: DEMO_COMMANDS,
    },
  ],
});

/** What the BFF did with the demo policy at a start (its log says). */
export type DemoPolicyOutcome =
  | { kind: 'published'; version: number }
  /** It had a policy version already: the demo's from an earlier start, or an admin's own. */
  | { kind: 'kept' }
  /** Publishing failed, or the BFF said nothing in time: its log says more. */
  | { kind: 'not-published' };

/**
 * Reads the outcome from the BFF's log (pino JSON lines, messages as apps/bff/src/main.ts logs
 * them); undefined while it has not said.
 */
export function demoPolicyFrom(bffOutput: string): DemoPolicyOutcome | undefined {
  for (const line of bffOutput.split('\n')) {
    const entry = demoPolicyEntry(line);
    if (!entry) continue;
    if (entry.msg === 'demo policy published' && typeof entry.version === 'number')
      return { kind: 'published', version: entry.version };
    if (entry.msg === 'demo policy kept') return { kind: 'kept' };
    if (entry.msg === 'demo policy not published') return { kind: 'not-published' };
  }
  return undefined;
}

function demoPolicyEntry(line: string): { msg?: string; version?: number } | undefined {
  if (!line.includes('"demo policy ')) return undefined;
  try {
    return JSON.parse(line) as { msg?: string; version?: number };
  } catch {
    return undefined; // a line still being written
  }
}
