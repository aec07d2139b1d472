// A child process for the SIGKILL test: embedded broker + pipeline over a slow, crash-safe store.
// argv: <dataDir> <storeFile>. Prints {"port": n} once listening.
import { pino } from 'pino';
import { EmbeddedBroker } from '../ingest/embedded-broker.ts';
import { JsonlIngestStore } from './jsonl-ingest-store.ts';
import { TelemetryIngest } from '../ingest/telemetry-ingest.ts';

const [dataDir, storeFile] = process.argv.slice(2);
if (!dataDir || !storeFile) throw new Error('usage: crash-node.fixture.ts <dataDir> <storeFile>');
const logger = pino({ level: 'silent' });
const store = new JsonlIngestStore(storeFile);
store.writeDelayMs = 30; // keeps many acked messages uncommitted when the kill comes
const ingest = await TelemetryIngest.start({
  config: {
    dataDir,
    rawRetentionDays: 30,
    unknownDevices: 'register',
    batchMaxSamples: 400,
    batchMaxAgeMs: 20,
    queueLimit: 5000,
  },
  store,
  logger,
});
const broker = await EmbeddedBroker.start({ port: 0, host: '127.0.0.1', sink: ingest, logger });
process.stdout.write(`${JSON.stringify({ port: broker.port })}\n`);
