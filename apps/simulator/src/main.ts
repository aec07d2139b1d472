import { pino } from 'pino';
import { parseSimulatorArgs, USAGE } from './args.ts';
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

const simulator = await startSimulator(options, logger);

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
