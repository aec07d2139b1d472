import type { LocalNodeServiceDeps } from '../services/local-node.types.ts';

/**
 * What a local node service reads from the running process, for store tests that run none: an
 * ingest that has taken nothing and a connected embedded broker.
 */
export const IDLE_PROCESS: Pick<LocalNodeServiceDeps, 'ingestStats' | 'brokerHealth'> = {
  ingestStats: () => ({
    messagesTotal: 0,
    samplesTotal: 0,
    samplesPerSec: 0,
    queueDepth: 0,
    deadLettersTotal: 0,
  }),
  brokerHealth: () => ({ connected: true, embedded: true, url: 'mqtt://127.0.0.1:1884' }),
};
