import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startNodeProcess, waitFor, type NodeProcess } from '../testing/node-process.ts';

/*
 * A real node process killed between "alert fired" and "notification sent": the notification is
 * in the outbox, written in the same transaction as the alert, so the restarted node sends it.
 */
const dir = mkdtempSync(join(tmpdir(), 'tierscope-notify-'));
const servers: Server[] = [];
let node: NodeProcess | undefined;

afterAll(async () => {
  await node?.kill('SIGTERM');
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  rmSync(dir, { recursive: true, force: true });
});

function listen(
  port: number,
  handle: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => handle(req, res, body));
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

describe('notifications from a real node process', () => {
  it('still delivers a notification after the node is killed between "fired" and "sent"', async () => {
    const receiverPort = await freePort();
    const mqttPort = await freePort();
    const env = {
      NODE_ID: 'probe-n',
      DATABASE_URL: `pglite:${join(dir, 'db')}`,
      DATA_DIR: join(dir, 'data'),
      MQTT_PORT: String(mqttPort),
      WEBHOOKS: JSON.stringify([
        { id: 'ops', url: `http://127.0.0.1:${receiverPort}/hook`, timeoutMs: 2000 },
      ]),
      WEBHOOK_ALLOWLIST: '127.0.0.1',
    };
    // First receiver: takes the request and never answers, so the node is mid-send when killed.
    const held: ServerResponse[] = [];
    const hanging = await listen(receiverPort, (_req, res) => held.push(res));

    node = await startNodeProcess(env);
    await node.client.rules.upsert.mutate({
      nodePath: 'probe-n',
      rule: {
        id: 'hot',
        name: 'Too hot',
        severity: 'critical',
        scope: { devicePattern: '*', labels: {} },
        condition: { kind: 'threshold', metric: 'temp', operator: '>', value: 30, hysteresis: 0, forMs: 0 },
      },
    });
    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: 'pump-1' });
    await device.publishAsync('devices/pump-1/telemetry', JSON.stringify({ metrics: { temp: 45 } }), {
      qos: 1,
    });
    await device.endAsync();
    await waitFor('the notification attempt reaching the receiver', async () => held.length > 0, 30_000);

    await node.kill('SIGKILL');
    node = undefined;
    for (const res of held) res.destroy();
    servers.splice(servers.indexOf(hanging), 1);
    await new Promise<void>((resolve) => {
      hanging.close(() => resolve());
      hanging.closeAllConnections();
    });

    const delivered: Array<{
      key: string | undefined;
      body: { status: string; alerts: Array<{ labels: Record<string, string> }> };
    }> = [];
    await listen(receiverPort, (req, res, body) => {
      delivered.push({
        key: req.headers['idempotency-key'] as string | undefined,
        body: JSON.parse(body) as never,
      });
      res.writeHead(200).end();
    });
    node = await startNodeProcess(env);
    // A claim by a dead worker is retried once its lease runs out (the webhook timeout + 5 s).
    await waitFor('the notification delivered after the restart', async () => delivered.length > 0, 60_000);
    expect(delivered[0]!.body).toMatchObject({ version: '4', status: 'firing' });
    expect(delivered[0]!.body.alerts[0]!.labels).toMatchObject({ device: 'pump-1', severity: 'critical' });
    expect(delivered[0]!.key).toMatch(/hot%3Apump-1:\d+/);
  }, 120_000);
});
