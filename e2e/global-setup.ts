// Starts the whole multi-tier system on free ports in a temporary directory — probes with their
// embedded brokers and PGlite, a district node, the BFF serving the built console, and a device
// simulator per probe over real MQTT — waits until every device has been heard, installs alert
// rules at every probe through the BFF and waits for the alerts they raise, and returns the
// teardown that stops every process and removes the data. The BFF's first admin gets a known
// password; its one session is shared by every test (browser cookie and API client).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts, startDeployment } from '@tierscope/test-support/deployment';
import { freePort, waitFor } from '@tierscope/test-support/processes';
import { realPartsOfEnvironment, type TierBackend } from '@tierscope/test-support/tier-backends';
import { FIRING_PER_PROBE, installRules } from './alert-rules.ts';
import { randomBytes } from 'node:crypto';
import { createApiClient, logIn } from './api-client.ts';
import { publishDeployment } from './deployment.ts';

/** Two sites per probe (the simulator puts 50 devices on a site): the alert rules need both. */
const DEVICES_PER_PROBE = 60;
const ADMIN = { name: 'admin', password: `e2e-${randomBytes(12).toString('base64url')}` };
const WEB_DIST = fileURLToPath(new URL('../apps/web/dist/index.html', import.meta.url));

/**
 * `E2E_ON_REAL_PARTS=true` runs the tiers on the real PostgreSQL (a database per tier) and a
 * Mosquitto per node, from TEST_DATABASE_URL and TEST_MQTT_URL; otherwise on the embedded default.
 */
function tierBackendOf(env: NodeJS.ProcessEnv): TierBackend | undefined {
  if (env.E2E_ON_REAL_PARTS !== 'true') return undefined;
  const backend = realPartsOfEnvironment();
  if (!backend) throw new Error('E2E_ON_REAL_PARTS=true needs TEST_DATABASE_URL and TEST_MQTT_URL');
  return backend;
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(WEB_DIST))
    throw new Error('apps/web/dist is missing: run `npm run build -w @tierscope/web` first');
  const backend = tierBackendOf(process.env);
  const dataDir = await mkdtemp(join(tmpdir(), 'tierscope-e2e-'));
  // No spec publishes the e2e rule's metric on probe-c but the backlog one, so only it fills the outbox.
  const probeWebhook = { probeId: 'probe-c', port: await freePort(), ruleId: 'e2e-level' };
  const removeData = async () => {
    await backend?.release();
    await rm(dataDir, { recursive: true, force: true });
  };
  const deployment = await startDeployment({
    ports: await freePorts(),
    dataDir,
    devicesPerProbe: DEVICES_PER_PROBE,
    rate: 0.5,
    // The specs count the devices online and the alerts of their own rules: excursions would change both.
    excursions: false,
    // The specs install their own rules.
    demoPolicy: false,
    adminPassword: ADMIN.password,
    probeWebhook,
    // The specs publish as devices of their own, without logins, to these probes; probe-a's
    // simulated devices log in with the credentials the deployment provisions.
    openProbes: ['probe-b', 'probe-c', 'probe-d'],
    // push.spec.ts stands in for the browsers' push service on 127.0.0.1.
    bffAllowlist: '127.0.0.1',
    ...(backend && { backend }),
    log: (line) => process.stderr.write(`[e2e] ${line}\n`),
    // The fault test kills a probe on purpose; anything else shows up as failing tests.
    onUnexpectedExit: (name, code, signal) =>
      process.stderr.write(`[e2e] ${name} exited (${signal ?? code})\n`),
  }).catch(async (error: unknown) => {
    await removeData();
    throw error;
  });
  const teardown = async () => {
    await deployment.stop();
    await removeData();
  };

  try {
    const probes = deployment.nodes.filter((node) => node.id.startsWith('probe-'));
    const expectedDevices = probes.length * DEVICES_PER_PROBE;
    const adminSession = await logIn(deployment.bffUrl, ADMIN.name, ADMIN.password);
    const api = createApiClient(deployment.bffUrl, adminSession);
    await waitFor(
      `all ${expectedDevices} devices registered and every node up`,
      async (signal) => {
        const info = await api.node.info.query(undefined, { signal }).catch(() => undefined);
        const children = info?.children ?? [];
        const allUp = children.length > 0 && children.every((child) => child.state === 'up');
        return allUp && info?.devices.total === expectedDevices && !info.devices.lowerBound;
      },
      { timeoutMs: 120_000, pollMs: 500 },
    );
    await installRules(
      api,
      probes.map((probe) => probe.path),
    );
    await waitFor(
      'the alerts every probe raises from its rules',
      async (signal) => {
        const page = await api.alerts.list
          .query({ states: ['firing'], limit: 500 }, { signal })
          .catch(() => undefined);
        const count = (severity: keyof typeof FIRING_PER_PROBE) =>
          page?.items.filter((alert) => alert.severity === severity).length ?? 0;
        return (['critical', 'warning', 'info'] as const).every(
          (severity) => count(severity) >= FIRING_PER_PROBE[severity] * probes.length,
        );
      },
      { timeoutMs: 60_000, pollMs: 500 },
    );
    process.stderr.write(
      `[e2e] ${deployment.bffUrl}: ${expectedDevices} devices on ${probes.length} probes, alert rules on each\n`,
    );
    publishDeployment({
      bffUrl: deployment.bffUrl,
      expectedDevices,
      admin: ADMIN,
      adminSession,
      probeWebhook,
      nodes: deployment.nodes.map(({ id, path, pid, mqttUrl }) => ({ id, path, pid, mqttUrl })),
    });
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
