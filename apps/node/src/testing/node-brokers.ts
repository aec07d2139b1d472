import { startTestBroker, type TestBroker } from '@tierscope/test-support/test-broker';
import { createPostgresDatabase, type TestDatabase } from '@tierscope/test-support/test-databases';
import { freePort } from './node-process.ts';

/** Where a node under test takes its devices' messages: its embedded broker, or the repo's Mosquitto. */
export interface NodeBrokerBackend {
  name: string;
  /** The node's environment and the URL its devices connect to. */
  setup(dir: string): Promise<{ env: Record<string, string>; brokerUrl: string; cleanup(): Promise<void> }>;
}

/**
 * The embedded broker (PGlite under `dir`), and Mosquitto (PostgreSQL when TEST_DATABASE_URL is
 * set): the two ways a node meets its devices.
 */
export const NODE_BROKER_BACKENDS: readonly NodeBrokerBackend[] = [
  {
    name: 'the embedded broker',
    setup: async (dir) => {
      const mqttPort = await freePort();
      return {
        env: { DATABASE_URL: `pglite:${dir}/db`, MQTT_PORT: String(mqttPort) },
        brokerUrl: `mqtt://127.0.0.1:${mqttPort}`,
        cleanup: async () => undefined,
      };
    },
  },
  {
    name: 'Mosquitto',
    setup: async (dir) => {
      const broker: TestBroker = await startTestBroker();
      const serverDatabase = process.env.TEST_DATABASE_URL;
      const database: TestDatabase | undefined = serverDatabase
        ? await createPostgresDatabase(serverDatabase)
        : undefined;
      return {
        env: { DATABASE_URL: database?.url ?? `pglite:${dir}/db`, MQTT_URL: broker.url },
        brokerUrl: broker.url,
        cleanup: async () => {
          await database?.drop();
          await broker.stop();
        },
      };
    },
  },
];
