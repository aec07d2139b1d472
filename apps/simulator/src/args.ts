import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DeviceId } from '@tierscope/shared/domain';
import { DEVICE_KINDS } from './device-kinds.ts';

export const USAGE = `Usage: npm run start -w @tierscope/simulator -- [options]

  --url URL                  MQTT broker (default mqtt://127.0.0.1:1883)
  --devices N                number of devices, 1-10000 (default 10)
  --rate R                   telemetry messages per second per device, up to 100 (default 1)
  --duration D               stop after D: 90, 90s, 5m or 2h (default: until SIGINT/SIGTERM)
  --seed S                   integer seed; the same seed replays the same values (default: random, logged)
  --sites N                  sites the devices are spread over (default: one per 50 devices)
  --kinds a,b                device kinds (default ${DEVICE_KINDS.join(',')})
  --invalid-every N          replace every Nth telemetry message with a malformed one (default 0: never)
  --excursions N             excursions per hour across the devices: one leaves its normal band, hovers
                             on the edge or drops offline for a while (default 40; 0: none; with any,
                             a rise and a hover start in the first 6 s)
  --max-device-connections N above this many devices, share connections instead (default 200)
  --shared-connections N     connections when sharing (default 4)
  --credentials FILE         device logins, a CSV with username and password columns (as an import's
                             credentials download): each device logs in as itself (needs one
                             connection per device)
  --never-apply ids          devices (comma-separated ids) that receive their desired configuration
                             but never apply or report it, so they show as drifted
  --fleet-csv                print the devices as a CSV to import (id,name,kind,site) and exit
  --log-level L              pino level (default info)
  --help                     this text`;

const Duration = z
  .string()
  .regex(/^\d+(\.\d+)?(s|m|h)?$/, 'duration: a number of seconds, or with s, m or h (90, 90s, 5m, 2h)')
  .transform((text) => {
    const unit = text.at(-1);
    const factor = unit === 'h' ? 3600 : unit === 'm' ? 60 : 1;
    return Number.parseFloat(text) * factor;
  })
  .pipe(z.number().positive());

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const SimulatorOptions = z
  .object({
    url: z.url({ protocol: /^(mqtts?|wss?|tcp)$/ }).default('mqtt://127.0.0.1:1883'),
    devices: int(1, 10_000).default(10),
    rate: z.coerce.number().positive().max(100).default(1),
    duration: Duration.optional(),
    seed: int(0, 2 ** 32 - 1).default(() => Math.floor(Math.random() * 2 ** 32)),
    sites: int(1, 99).optional(),
    kinds: z
      .string()
      .transform((list) => list.split(',').map((kind) => kind.trim()))
      .pipe(z.array(z.enum(DEVICE_KINDS)).min(1))
      .default([...DEVICE_KINDS]),
    'invalid-every': int(0, 1_000_000_000).default(0),
    excursions: z.coerce.number().min(0).max(3600).default(40),
    'max-device-connections': int(0, 10_000).default(200),
    'shared-connections': int(1, 256).default(4),
    'log-level': z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
    credentials: z.string().min(1).optional(),
    'fleet-csv': z.boolean().default(false),
    'never-apply': z
      .string()
      .transform((list) =>
        list
          .split(',')
          .map((id) => id.trim())
          .filter((id) => id !== ''),
      )
      .pipe(z.array(DeviceId).max(10_000))
      .default([]),
  })
  .refine((o) => o.credentials === undefined || o.devices <= o['max-device-connections'], {
    message: 'a device logs in as itself: keep --devices within --max-device-connections',
    path: ['credentials'],
  })
  .transform((o) => ({
    url: o.url,
    devices: o.devices,
    rate: o.rate,
    durationSeconds: o.duration,
    seed: o.seed,
    sites: o.sites ?? Math.max(1, Math.ceil(o.devices / 50)),
    kinds: o.kinds,
    invalidEvery: o['invalid-every'],
    excursionsPerHour: o.excursions,
    // Per-device connections give each device its own last will; past the limit, sockets cost more than realism is worth.
    connectionMode: o.devices <= o['max-device-connections'] ? ('per-device' as const) : ('shared' as const),
    sharedConnections: Math.min(o['shared-connections'], o.devices),
    logLevel: o['log-level'],
    credentialsFile: o.credentials,
    printFleetCsv: o['fleet-csv'],
    neverApply: new Set(o['never-apply']),
  }));
export type SimulatorOptions = z.output<typeof SimulatorOptions>;

export type ParsedArgs =
  { ok: true; options: SimulatorOptions } | { ok: false; help: boolean; errors: string[] };

/** Parses and validates the command line; every problem is reported, not just the first. */
export function parseSimulatorArgs(argv: readonly string[]): ParsedArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        devices: { type: 'string' },
        rate: { type: 'string' },
        duration: { type: 'string' },
        seed: { type: 'string' },
        sites: { type: 'string' },
        kinds: { type: 'string' },
        'invalid-every': { type: 'string' },
        excursions: { type: 'string' },
        'max-device-connections': { type: 'string' },
        'shared-connections': { type: 'string' },
        'log-level': { type: 'string' },
        credentials: { type: 'string' },
        'fleet-csv': { type: 'boolean' },
        'never-apply': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { ok: false, help: false, errors: [error instanceof Error ? error.message : String(error)] };
  }
  if (values.help) return { ok: false, help: true, errors: [] };
  const { help: _help, ...rest } = values;
  const parsed = SimulatorOptions.safeParse(rest);
  if (!parsed.success) {
    return {
      ok: false,
      help: false,
      errors: parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`),
    };
  }
  return { ok: true, options: parsed.data };
}
