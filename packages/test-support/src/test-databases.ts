import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

export interface TestDatabase {
  /** Which backend this is, for test titles: `pglite` or `postgres`. */
  name: 'pglite' | 'postgres';
  url: string;
  drop(): Promise<void>;
}

/**
 * The databases an integration test runs against: PGlite in memory always, and a fresh database on
 * the real PostgreSQL at TEST_DATABASE_URL when it is set (CI sets it). Each run gets its own
 * database name, dropped afterwards, so runs never see each other's data.
 */
export function testDatabaseBackends(): Array<{
  name: TestDatabase['name'];
  create: () => Promise<TestDatabase>;
}> {
  const backends: Array<{ name: TestDatabase['name']; create: () => Promise<TestDatabase> }> = [
    { name: 'pglite', create: async () => ({ name: 'pglite', url: 'pglite:memory', drop: async () => {} }) },
  ];
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) backends.push({ name: 'postgres', create: () => createPostgresDatabase(serverUrl) });
  return backends;
}

export async function createPostgresDatabase(serverUrl: string): Promise<TestDatabase> {
  const dbName = `tierscope_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${dbName}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  return {
    name: 'postgres',
    url: url.toString(),
    drop: async () => {
      const dropper = postgres(serverUrl, { max: 1, onnotice: () => {} });
      try {
        await dropper.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** MQTT brokers for integration tests: the embedded one always, Mosquitto at TEST_MQTT_URL when set. */
export function testMqttBackends(): Array<{ name: 'embedded' | 'mosquitto'; url: string | undefined }> {
  const backends: Array<{ name: 'embedded' | 'mosquitto'; url: string | undefined }> = [
    { name: 'embedded', url: undefined },
  ];
  if (process.env.TEST_MQTT_URL) backends.push({ name: 'mosquitto', url: process.env.TEST_MQTT_URL });
  return backends;
}
