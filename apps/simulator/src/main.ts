import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { devicesCsv, readCredentialsCsv } from '@tierscope/shared/device-import';
import { parseSimulatorArgs, USAGE } from './args.ts';
import { buildFleet } from './fleet.ts';
import { startSimulator } from './simulator.ts';

const parsed = parseSimulatorArgs(process.argv.slice(2));
if (!parsed.ok) {
  if (parsed.help) {
    console.log(USAGE);
    process.exit(0);
  }
  for (const error of parsed.errors) console.error(error);
  console.error(`\n${USAGE}`);
  process.exit(2);
}
const { options } = parsed;
if (options.printFleetCsv) {
  const fleet = buildFleet(options.devices, options.sites, options.kinds);
  process.stdout.write(devicesCsv(fleet.map((device) => ({ ...device, name: device.id }))));
  process.exit(0);
}
const logins = options.credentialsFile
  ? readCredentialsCsv(readFileSync(options.credentialsFile, 'utf8'))
  : undefined;
const logger = pino({ name: 'simulator', level: options.logLevel });
logger.info(
  {
    seed: options.seed,
    devices: options.devices,
    rate: options.rate,
    durationSeconds: options.durationSeconds,
  },
  'starting (pass --seed to replay)',
);

const simulator = await startSimulator(options, logger, logins);

let stopped = false;
async function shutdown(reason: string): Promise<void> {
  if (stopped) {
    logger.warn({ reason }, 'second stop request: exiting without waiting');
    process.exit(1);
  }
  stopped = true;
  logger.info({ reason }, 'stopping: sending offline status');
  const stats = await simulator.stop();
  logger.info(stats, 'stopped');
  process.exit(0);
}

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
if (options.durationSeconds !== undefined) {
  setTimeout(() => void shutdown('duration elapsed'), options.durationSeconds * 1000).unref();
}
