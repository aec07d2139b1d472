import { startTestBroker, type TestBroker } from './test-broker.ts';
import { createPostgresDatabase, type TestDatabase } from './test-databases.ts';

/**
 * What the tiers of a multi-process test store their data in and meet their devices on. A test runs
 * once per backend with the settings it hands out, and releases everything after.
 */
export interface TierBackend {
  /** Settings for one node: its store and its broker (none means the node's embedded broker). */
  nodeEnv(id: string): Promise<Record<string, string>>;
  /** Settings for the BFF: its own store. */
  bffEnv(): Promise<Record<string, string>>;
  /** Drops the databases and stops the brokers this backend handed out. Idempotent. */
  release(): Promise<void>;
}

const EMBEDDED = 'PGlite and embedded brokers';
const REAL_PARTS = 'PostgreSQL and Mosquitto';

/** Every node on PGlite in memory and its embedded broker: the product's default, always run. */
function embeddedBackend(): TierBackend {
  return {
    nodeEnv: () => Promise.resolve({ DATABASE_URL: 'pglite:memory' }),
    bffEnv: () => Promise.resolve({ DATABASE_URL: 'pglite:memory' }),
    release: () => Promise.resolve(),
  };
}

/**
 * Every tier on a database of its own on the real PostgreSQL, every node on a Mosquitto of its own
 * (nodes subscribe to the same topic names, so a shared broker would mix their devices).
 */
function realPartsBackend(serverUrl: string): TierBackend {
  const databases: TestDatabase[] = [];
  const brokers: TestBroker[] = [];
  const database = async () => {
    const created = await createPostgresDatabase(serverUrl);
    databases.push(created);
    return created.url;
  };
  return {
    nodeEnv: async () => {
      const broker = await startTestBroker();
      brokers.push(broker);
      return { DATABASE_URL: await database(), MQTT_URL: broker.url };
    },
    bffEnv: async () => ({ DATABASE_URL: await database() }),
    release: async () => {
      const results = await Promise.allSettled([
        ...brokers.splice(0).map((b) => b.stop()),
        ...databases.splice(0).map((d) => d.drop()),
      ]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}

/** The real PostgreSQL and Mosquitto this machine has, when TEST_DATABASE_URL and TEST_MQTT_URL name them. */
export function realPartsOfEnvironment(): TierBackend | undefined {
  const serverUrl = process.env.TEST_DATABASE_URL;
  return serverUrl && process.env.TEST_MQTT_URL ? realPartsBackend(serverUrl) : undefined;
}

/**
 * The backends a multi-tier test runs on: the embedded default always, and the real PostgreSQL and
 * Mosquitto when TEST_DATABASE_URL and TEST_MQTT_URL say this machine has them (CI sets both).
 */
export function tierBackends(): Array<{ name: string; create: () => TierBackend }> {
  const backends = [{ name: EMBEDDED, create: embeddedBackend }];
  if (realPartsOfEnvironment()) backends.push({ name: REAL_PARTS, create: () => realPartsOfEnvironment()! });
  return backends;
}
