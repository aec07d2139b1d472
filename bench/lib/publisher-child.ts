// Child-process entry (forked by publisher.ts): publishes the bench workload at QoS 1, so the
// publisher's event loop and CPU time don't compete with the receiving side being measured.
import { connectAsync, type MqttClient } from 'mqtt';
import { benchMessage, encodePayload } from './payloads.ts';
import type { PublisherCommand, PublisherConfig, PublisherReport } from './publisher.ts';

function send(report: PublisherReport): void {
  process.send?.(report);
}

async function publishFor(clients: MqttClient[], config: PublisherConfig): Promise<PublisherReport> {
  let next = 0;
  let acked = 0;
  let failed = 0;
  let inFlight = 0;
  const started = Date.now();
  const deadline = started + config.durationMs;
  // Token bucket for a capped rate; uncapped, the in-flight window alone paces publishing.
  let allowance = config.ratePerSec > 0 ? 0 : Infinity;
  let lastRefill = started;

  return new Promise((resolve) => {
    let refillScheduled = false;
    const finishIfDone = (): void => {
      if (Date.now() >= deadline && inFlight === 0) {
        clearInterval(pump);
        resolve({ type: 'done', published: next, acked, failed, elapsedMs: Date.now() - started });
      }
    };
    const fill = (): void => {
      const now = Date.now();
      if (config.ratePerSec > 0) {
        allowance = Math.min(allowance + ((now - lastRefill) * config.ratePerSec) / 1000, config.ratePerSec);
        lastRefill = now;
      }
      while (now < deadline && inFlight < config.window && allowance >= 1) {
        const message = benchMessage(config.firstMessage + next, config.t0);
        const client = clients[next % clients.length]!;
        next++;
        inFlight++;
        allowance--;
        client.publish(message.topic, encodePayload(message), { qos: 1 }, (error) => {
          inFlight--;
          if (error) failed++;
          else acked++;
          // Refill once per turn of the event loop rather than once per ack.
          if (!refillScheduled) {
            refillScheduled = true;
            setImmediate(() => {
              refillScheduled = false;
              fill();
            });
          }
          finishIfDone();
        });
      }
      finishIfDone();
    };
    const pump = setInterval(fill, 5);
    fill();
  });
}

let config: PublisherConfig | undefined;
let clients: MqttClient[] = [];

// If the bench dies, the IPC channel closes: don't linger.
process.on('disconnect', () => process.exit(0));

process.on('message', (command: PublisherCommand) => {
  void (async () => {
    if (command.type === 'configure') {
      config = command.config;
      const { url, connections } = config;
      clients = await Promise.all(
        Array.from({ length: connections }, (_, k) =>
          connectAsync(url, { clientId: `bench-pub-${process.pid}-${k}`, clean: true, reconnectPeriod: 0 }),
        ),
      );
      send({ type: 'ready' });
    } else if (command.type === 'go' && config) {
      const report = await publishFor(clients, config);
      await Promise.all(clients.map((client) => client.endAsync()));
      send(report);
      process.disconnect();
    }
  })().catch((error: unknown) => {
    send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  });
});
