// `npm start`: the demo deployment (packages/test-support/src/deployment.ts) on this machine with no
// configuration, on the README's ports; prints where to log in and stops every process on Ctrl+C.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEMO_PORTS,
  DISTRICT_ID,
  startDeployment,
  type Deployment,
} from '@tierscope/test-support/deployment';
import { launchBundles } from '@tierscope/test-support/processes';
import { prepareDemoTls, type DemoTls } from '@tierscope/test-support/demo-tls';
import { describeDeviceAccess, OPEN_PROBES } from './start-device-access.ts';

/** What `npm start` prints once everything is up. */
function describeDeployment(
  deployment: Deployment,
  devicesPerProbe: number,
  dataDir: string,
  tls?: DemoTls,
): string {
  const bff = deployment.bffUrl;
  const district = deployment.nodes.find((n) => n.id === DISTRICT_ID)!;
  const probes = deployment.nodes.filter((n) => n.id !== DISTRICT_ID);
  const dialled = [district, ...probes].filter((n) => n.link === 'dialled').map((n) => n.id);
  const uplinked = deployment.nodes.filter((n) => n.link === 'uplink').map((n) => n.id);
  return [
    '',
    'Tierscope is running.',
    `  Console:              ${bff}/`,
    ...describeLogin(deployment),
    ...describePolicy(deployment),
    `  BFF (tRPC):           ${bff}/trpc   (every call needs a console session: log in at ${bff}/auth/login)`,
    `  health, metrics:      ${bff}/healthz  ${bff}/metrics`,
    `  ${DISTRICT_ID}:           ${district.httpUrl}/trpc  (${district.mqttUrl}, no devices of its own)`,
    ...probes.map(
      (n) => `  ${n.id} (${n.path}): ${n.httpUrl}/trpc  ${n.mqttUrl}  ${devicesPerProbe} simulated devices`,
    ),
    `  ${dialled.join(', ')} answer only their parent (a node token made for this run)`,
    `  ${uplinked.join(' and ')} dial ${tls ? 'wss' : 'ws'}://${new URL(district.httpUrl).host}/uplink (tokens made for this run); the district has no URL for them`,
    ...describeDeviceAccess(deployment, dataDir, tls?.caCert),
    ...(tls
      ? [
          `  TLS:                  every link; the CA is ${tls.caCert} (certificates in ${tls.dir})`,
          "                        nodes and the BFF's uplink require client certificates; trust the CA to open the console",
        ]
      : []),
    `  logs:                 ${deployment.logDir}/`,
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}

/** What the BFF did with the demo policy, and where to see it and its alerts. */
function describePolicy({ bffUrl, demoPolicy, logDir }: Deployment): string[] {
  switch (demoPolicy?.kind) {
    case 'published':
      return [
        `  Policy:               demo policy published (version ${demoPolicy.version}, ${bffUrl}/policy); its alerts within a minute: ${bffUrl}/alerts`,
      ];
    case 'kept':
      return [`  Policy:               the policy published before is kept: ${bffUrl}/policy`];
    case 'not-published':
      return [`  Policy:               the demo policy was not published: see ${logDir}/bff.log`];
    case undefined:
      return [];
  }
}

/** Where and as whom to log in; a one-time password is shown here, the one time it exists. */
function describeLogin({ bffUrl, firstAdmin, logDir }: Deployment): string[] {
  const login = `${bffUrl}/login`;
  if (firstAdmin.kind === 'one-time')
    return [
      `  Log in:               ${login}  as "${firstAdmin.user}" with the one-time password`,
      '',
      `      ${firstAdmin.password}`,
      '',
      '                        It is shown only now: choose your own password at the first login.',
    ];
  if (process.env.BFF_ADMIN_PASSWORD)
    return [`  Log in:               ${login}  as "${firstAdmin.user}" with BFF_ADMIN_PASSWORD`];
  return [
    `  Log in:               ${login}  with your console account ("${firstAdmin.user}" was made at the first`,
    `                        start, with a one-time password printed then${process.env.DATABASE_URL ? '' : `; to start over, remove ${resolve(logDir, '../bff')}`})`,
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string', default: '.data' },
      devices: { type: 'string', default: '70' },
      tls: { type: 'boolean', default: false },
    },
  });
  const devicesPerProbe = Number(values.devices);
  if (!Number.isInteger(devicesPerProbe) || devicesPerProbe < 1)
    throw new Error('--devices: a whole number, 1 or more');
  const ports = values.port ? { ...DEMO_PORTS, bff: Number(values.port) } : DEMO_PORTS;
  // The tiers run from `npm run build`'s bundles (decision 23), which `npm start` makes first.
  launchBundles();
  const tls = values.tls
    ? await prepareDemoTls(values['data-dir'], ['bff', DISTRICT_ID, ...Object.keys(ports.probes)])
    : undefined;

  // Aborting stops the processes whether or not the deployment has finished starting.
  const stopped = new AbortController();
  const startup = startDeployment({
    ports,
    dataDir: values['data-dir'],
    devicesPerProbe,
    rate: 0.5,
    excursions: true,
    demoPolicy: true,
    openProbes: OPEN_PROBES,
    // The browsers' push services, so a phone that turns pushes on gets the demo's alerts.
    bffAllowlist: '*.googleapis.com,*.push.services.mozilla.com,*.push.apple.com,*.notify.windows.com',
    ...(tls && { tls }),
    signal: stopped.signal,
    log: (line) => process.stderr.write(`${line}\n`),
    onUnexpectedExit: (name, code, signal) => {
      process.stderr.write(
        `${name} exited (${signal ?? code}); see ${values['data-dir']}/logs/${name}.log\n`,
      );
      void shutdown(1);
    },
  });
  const shutdown = async (exitCode: number): Promise<void> => {
    if (stopped.signal.aborted) return;
    process.stderr.write('stopping…\n');
    stopped.abort();
    await startup.then(
      (deployment) => deployment.stop(),
      () => undefined,
    );
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  const deployment = await startup.catch((error: unknown) => {
    // Stopped while starting: shutdown() exits once the processes are gone.
    if (stopped.signal.aborted) return new Promise<never>(() => undefined);
    throw error;
  });
  process.stdout.write(describeDeployment(deployment, devicesPerProbe, values['data-dir'], tls));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
