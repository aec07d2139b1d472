// The suite's deployment: BFF replicas behind HAProxy ← district-1 ← probe-1, each tier in its own
// network namespace, the probe on the suite's own PostgreSQL cluster and Mosquitto, and the
// suite's simulator publishing to that Mosquitto from beside the probe.
//
//   root (the suite: checks, console client, alert traffic) ── management links to every tier
//   tsf-bff: HAProxy :4000 → BFF replicas :4001… (their PostgreSQL :5434)
//        │ 10.213.2.0/30  (scenarios 2 and 7)
//   tsf-district: district-1 :4100 (PGlite, embedded broker)
//        │ 10.213.1.0/30  (scenario 1)
//   tsf-probe: probe-1 :4100, Mosquitto :1883, PostgreSQL :5433, the simulator
import { mkdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { hashNodeToken, newNodeToken } from '@tierscope/federation';
import { TEST_ADMIN } from '@tierscope/test-support/console-session';
import {
  BFF_MAIN,
  NODE_MAIN,
  NODE_V8_FLAGS,
  spawnProcess,
  waitFor,
  waitReady,
  type Entry,
  type SpawnedProcess,
  type TierProcess,
} from '@tierscope/test-support/processes';
import { createCluster, type Cluster } from './cluster.ts';
import { startHaproxy, startMosquitto, type Daemon } from './daemon.ts';
import { createLink, createNamespace, inNamespace, removeSuiteNetwork, type VethLink } from './netns.ts';

export const NS = { probe: 'tsf-probe', district: 'tsf-district', bff: 'tsf-bff' } as const;
export const PROBE_ID = 'probe-1';
export const DISTRICT_ID = 'district-1';
export const PROBE_PATH = `${DISTRICT_ID}/${PROBE_ID}`;
const NODE_PORT = 4100;
const MQTT_PORT = 1883;
const PROBE_PG_PORT = 5433;
const BFF_PG_PORT = 5434;
const HAPROXY_PORT = 4000;
const FIRST_BFF_PORT = 4001;
const SIMULATOR_ENTRY = 'faults/lib/device-traffic.ts';
/** Several processes start at once on 2 cores. */
const READY_TIMEOUT_MS = 120_000;
/** How long a tier may take to stop after SIGTERM before it is killed. */
const STOP_GRACE_MS = 20_000;

/** The tier links the scenarios cut or slow, and the management links of the suite. */
export const LINKS = {
  probeDistrict: {
    name: 'probe ↔ district',
    a: { ns: NS.probe, dev: 'tsf-pd-p', address: '10.213.1.1' },
    b: { ns: NS.district, dev: 'tsf-pd-d', address: '10.213.1.2' },
  },
  districtBff: {
    name: 'district ↔ BFF',
    a: { ns: NS.district, dev: 'tsf-db-d', address: '10.213.2.1' },
    b: { ns: NS.bff, dev: 'tsf-db-b', address: '10.213.2.2' },
  },
} satisfies Record<string, VethLink>;
const MANAGEMENT: VethLink[] = [NS.probe, NS.district, NS.bff].map((ns, i) => ({
  name: `management ${ns}`,
  a: { ns: undefined, dev: `tsf-m${i}`, address: `10.213.${10 + i}.1` },
  b: { ns, dev: `tsf-m${i}-in`, address: `10.213.${10 + i}.2` },
}));
/** A tier's address as the suite (root namespace) reaches it. */
const fromRoot = { probe: '10.213.10.2', district: '10.213.11.2', bff: '10.213.12.2' } as const;

/** A process the scenarios kill or restart; `start` waits until it is ready. */
export interface Member {
  name: string;
  pid(): number;
  alive(): boolean;
  output(): string;
  start(): Promise<void>;
  /** SIGKILL, or SIGTERM with a grace period; resolves once it has exited. */
  stop(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
}

export interface Topology {
  dir: string;
  probe: Member & { dataDir: string };
  district: Member;
  bffs: Member[];
  simulator: Member;
  mosquitto: { restart(): Promise<void> };
  probeDatabase: Cluster;
  /** The probe's database, from the suite. */
  probeDatabaseUrl: string;
  /** The probe's Mosquitto, from the suite (devices next to the probe use it too). */
  probeMqttUrl: string;
  /** HAProxy in front of the BFF replicas, from the suite: where the console client goes. */
  bffUrl: string;
  /** The simulator's acked files, one per start. */
  ackedFiles(): string[];
  /** The base timestamp of the simulator's workload. */
  t0: number;
  stop(): Promise<void>;
}

export interface TopologyOptions {
  dir: string;
  bffReplicas: number;
  /** Simulator messages per second (4 samples each). */
  rate: number;
  log: (line: string) => void;
}

/** Removes a crashed run's leftovers, builds the network and starts every tier, leaves first. */
export async function startTopology(options: TopologyOptions): Promise<Topology> {
  const { dir, log } = options;
  const leftovers = await removeSuiteNetwork();
  if (leftovers.length > 0) log(`removed leftovers of an earlier run: ${leftovers.join(', ')}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'logs'), { recursive: true, mode: 0o755 });
  const daemons: Daemon[] = [];
  const members: Member[] = [];
  const clusters: Cluster[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all([...members].reverse().map((m) => m.stop('SIGTERM').catch(() => undefined)));
    await Promise.all(daemons.map((d) => d.stop().catch(() => undefined)));
    await Promise.all(clusters.map((c) => c.stop().catch(() => undefined)));
    await removeSuiteNetwork();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const ns of Object.values(NS)) await createNamespace(ns);
    for (const link of [LINKS.probeDistrict, LINKS.districtBff, ...MANAGEMENT]) await createLink(link);
    log('network: namespaces tsf-probe, tsf-district, tsf-bff on 10.213.0.0/16');

    const probeDatabase = await createCluster({
      ns: NS.probe,
      dir: join(dir, 'pg-probe'),
      port: PROBE_PG_PORT,
      database: 'tierscope',
    });
    clusters.push(probeDatabase);
    const bffDatabase = await createCluster({
      ns: NS.bff,
      dir: join(dir, 'pg-bff'),
      port: BFF_PG_PORT,
      database: 'bff',
    });
    clusters.push(bffDatabase);
    log('PostgreSQL clusters up (probe :5433, BFF :5434)');

    const mosquittoDir = join(dir, 'mosquitto');
    mkdirSync(mosquittoDir, { recursive: true });
    let mosquitto = startMosquitto(NS.probe, mosquittoDir, MQTT_PORT, join(dir, 'logs', 'mosquitto.log'));
    daemons.push(mosquitto);
    await waitFor('Mosquitto to listen', () => listens(fromRoot.probe, MQTT_PORT), 10_000);

    const districtToken = newNodeToken();
    const probeToken = newNodeToken();
    const tier = (
      ns: string,
      name: string,
      entry: Entry,
      env: Record<string, string>,
      url: string,
      flags: readonly string[] = [],
    ): Member => {
      let current: SpawnedProcess | undefined;
      return {
        name,
        pid: () => current?.pid ?? -1,
        alive: () => current?.alive() ?? false,
        output: () => current?.output() ?? '',
        start: async () => {
          current = spawnProcess({
            name,
            entry,
            env: { LOG_LEVEL: 'warn', ...env },
            flags,
            wrapper: inNamespace(ns),
            logFile: join(dir, 'logs', `${name}.log`),
          });
          const ready: TierProcess = { ...current, url, port: 0 };
          await waitReady(ready, READY_TIMEOUT_MS);
        },
        stop: async (signal) => {
          await current?.stop(signal, STOP_GRACE_MS);
        },
      };
    };

    const probeDataDir = join(dir, PROBE_ID);
    const probe = {
      ...tier(
        NS.probe,
        PROBE_ID,
        NODE_MAIN,
        {
          NODE_ID: PROBE_ID,
          HTTP_HOST: '0.0.0.0',
          HTTP_PORT: String(NODE_PORT),
          DATABASE_URL: probeDatabase.url('127.0.0.1'),
          MQTT_URL: `mqtt://127.0.0.1:${MQTT_PORT}`,
          DATA_DIR: probeDataDir,
          PARENT_TOKEN_HASHES: hashNodeToken(probeToken),
        },
        `http://${fromRoot.probe}:${NODE_PORT}`,
        NODE_V8_FLAGS,
      ),
      dataDir: probeDataDir,
    };
    const district = tier(
      NS.district,
      DISTRICT_ID,
      NODE_MAIN,
      {
        NODE_ID: DISTRICT_ID,
        HTTP_HOST: '0.0.0.0',
        HTTP_PORT: String(NODE_PORT),
        MQTT_PORT: '1884',
        DATABASE_URL: `pglite:${join(dir, DISTRICT_ID, 'db')}`,
        DATA_DIR: join(dir, DISTRICT_ID),
        CHILDREN: `${PROBE_ID}=http://${LINKS.probeDistrict.a.address}:${NODE_PORT}`,
        CHILD_TOKENS: `${PROBE_ID}=${probeToken}`,
        PARENT_TOKEN_HASHES: hashNodeToken(districtToken),
        FEDERATION_DEADLINE_MS: '1200',
      },
      `http://${fromRoot.district}:${NODE_PORT}`,
      NODE_V8_FLAGS,
    );
    const bffs = Array.from({ length: options.bffReplicas }, (_, i) =>
      tier(
        NS.bff,
        `bff-${i + 1}`,
        BFF_MAIN,
        {
          NODE_ID: 'bff',
          HTTP_HOST: '0.0.0.0',
          HTTP_PORT: String(FIRST_BFF_PORT + i),
          DATABASE_URL: bffDatabase.url('127.0.0.1'),
          BFF_ADMIN_USER: TEST_ADMIN.username,
          BFF_ADMIN_PASSWORD: TEST_ADMIN.password,
          CHILDREN: `${DISTRICT_ID}=http://${LINKS.districtBff.a.address}:${NODE_PORT}`,
          CHILD_TOKENS: `${DISTRICT_ID}=${districtToken}`,
          // No console to serve: the suite's client calls the API.
          WEB_DIST: join(dir, 'no-console'),
          TRUST_PROXY: '127.0.0.1',
        },
        `http://${fromRoot.bff}:${FIRST_BFF_PORT + i}`,
      ),
    );
    const t0 = Date.now() - 30 * 60_000;
    const ackedFiles: string[] = [];
    const simulator = (() => {
      let inner: Member | undefined;
      const member: Member = {
        name: 'simulator',
        pid: () => inner?.pid() ?? -1,
        alive: () => inner?.alive() ?? false,
        output: () => inner?.output() ?? '',
        start: async () => {
          // Each start publishes a range of message numbers (and timestamps) of its own.
          const file = join(dir, `acked-${ackedFiles.length}.log`);
          const first = ackedFiles.length * 10_000_000;
          ackedFiles.push(file);
          const name = `simulator-${ackedFiles.length}`;
          const spawned = spawnProcess({
            name,
            entry: SIMULATOR_ENTRY,
            env: {
              TRAFFIC_URL: `mqtt://127.0.0.1:${MQTT_PORT}`,
              TRAFFIC_ACKED_FILE: file,
              TRAFFIC_FIRST: String(first),
              TRAFFIC_RATE: String(options.rate),
              TRAFFIC_T0: String(t0),
            },
            wrapper: inNamespace(NS.probe),
            logFile: join(dir, 'logs', `${name}.log`),
          });
          inner = {
            ...member,
            pid: () => spawned.pid,
            alive: () => spawned.alive(),
            output: () => spawned.output(),
            stop: async (signal) => void (await spawned.stop(signal, STOP_GRACE_MS)),
          };
        },
        stop: async (signal) => {
          await inner?.stop(signal);
        },
      };
      return member;
    })();

    members.push(probe);
    await probe.start();
    log(`${PROBE_ID} ready`);
    members.push(district);
    await district.start();
    log(`${DISTRICT_ID} ready`);
    // One at a time: each applies the BFF's migrations at start.
    for (const bff of bffs) {
      members.push(bff);
      await bff.start();
    }
    log(`${bffs.length} BFF replica(s) ready`);
    const haproxyDir = join(dir, 'haproxy');
    mkdirSync(haproxyDir, { recursive: true });
    if (bffs.length > 1) {
      daemons.push(
        startHaproxy(
          NS.bff,
          haproxyDir,
          HAPROXY_PORT,
          bffs.map((_, i) => FIRST_BFF_PORT + i),
          join(dir, 'logs', 'haproxy.log'),
        ),
      );
      await waitFor(
        'HAProxy to answer',
        (signal) => answers(`http://${fromRoot.bff}:${HAPROXY_PORT}/readyz`, signal),
        30_000,
      );
      log(`HAProxy on ${fromRoot.bff}:${HAPROXY_PORT} in front of ${bffs.length} replicas`);
    }
    members.push(simulator);
    await simulator.start();
    log(`simulator publishing ${options.rate} messages/s to the probe's Mosquitto`);

    return {
      dir,
      probe,
      district,
      bffs,
      simulator,
      mosquitto: {
        restart: async () => {
          await mosquitto.stop();
          daemons.splice(daemons.indexOf(mosquitto), 1);
          mosquitto = startMosquitto(NS.probe, mosquittoDir, MQTT_PORT, join(dir, 'logs', 'mosquitto.log'));
          daemons.push(mosquitto);
          await waitFor('Mosquitto to listen again', () => listens(fromRoot.probe, MQTT_PORT), 10_000);
        },
      },
      probeDatabase,
      probeDatabaseUrl: probeDatabase.url(fromRoot.probe),
      probeMqttUrl: `mqtt://${fromRoot.probe}:${MQTT_PORT}`,
      bffUrl:
        bffs.length > 1
          ? `http://${fromRoot.bff}:${HAPROXY_PORT}`
          : `http://${fromRoot.bff}:${FIRST_BFF_PORT}`,
      ackedFiles: () => [...ackedFiles],
      t0,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function answers(url: string, signal: AbortSignal): Promise<boolean> {
  const response = await fetch(url, { signal }).catch(() => undefined);
  return response?.ok === true;
}

function listens(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
