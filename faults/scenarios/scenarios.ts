// The seven scenarios of the fault suite (issue 13), each a fault and its heal; faults/run.ts runs
// them one after another on one topology, under continuous traffic, and checks after each heal.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Alert, AlertPage } from '@tierscope/shared';
import { setLinkRate, setLinkUp } from '../lib/netns.ts';
import { LINKS, PROBE_PATH, type Member, type Topology } from '../lib/topology.ts';
import { STICKY_DEVICE, type AlertTraffic, type ConsoleClient } from '../lib/traffic.ts';

/** Ways to break a guarantee on purpose, to show that the accounting catches it. */
export const BREAKS = ['lose-journal'] as const;
export type Break = (typeof BREAKS)[number];

export interface ScenarioContext {
  topology: Topology;
  client: ConsoleClient;
  alerts: AlertTraffic;
  quick: boolean;
  break: Break | undefined;
  log: (line: string) => void;
}

/** What a scenario adds to the check after its heal: undefined when satisfied, else why not yet. */
export type ExtraCheck = () => Promise<string | undefined>;

export interface Scenario {
  id: number;
  name: string;
  /** Does the fault and heals it; resolves at the heal. */
  run(context: ScenarioContext): Promise<ExtraCheck | void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const outage = (context: ScenarioContext, fullMs: number, quickMs: number) =>
  context.quick ? quickMs : fullMs;

/** Kills or stops `member`, starts it again and waits until it is ready. */
async function restart(
  member: Member,
  signal: 'SIGKILL' | 'SIGTERM',
  context: ScenarioContext,
): Promise<void> {
  const started = Date.now();
  await member.stop(signal);
  const stopped = Date.now();
  await member.start();
  const seconds = (from: number, to: number) => ((to - from) / 1000).toFixed(1);
  context.log(
    `  ${member.name}: ${signal}, exited in ${seconds(started, stopped)} s, ready again ${seconds(stopped, Date.now())} s later`,
  );
}

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 1,
    name: 'probe ↔ district partitioned, then healed',
    run: async (context) => {
      await setLinkUp(LINKS.probeDistrict, false);
      await sleep(outage(context, 60_000, 8000));
      await setLinkUp(LINKS.probeDistrict, true);
    },
  },
  {
    id: 2,
    name: 'district ↔ BFF partitioned while an operator acks',
    run: async (context) => {
      const sticky = await findStickyAlert(context.client);
      await setLinkUp(LINKS.districtBff, false);
      const healAt = Date.now() + outage(context, 60_000, 8000);
      // The operator acks at once and keeps trying until the ack goes through; every attempt must
      // answer (an error naming the unreachable node is an answer): one that hangs or fails on the
      // network is a failed request.
      let acked = false;
      let attempts = 0;
      let healed = false;
      // After the heal the ack must go through soon; a scenario never waits forever.
      const giveUpAt = healAt + 60_000;
      while (!acked && Date.now() < giveUpAt) {
        if (!healed && Date.now() >= healAt) {
          await setLinkUp(LINKS.districtBff, true);
          healed = true;
        }
        attempts++;
        const result = await context.client.call('alerts.ack', {
          input: { nodePath: sticky.nodePath, id: sticky.id, note: 'fault suite: acked during a partition' },
          mutation: true,
        });
        if (result.ok) acked = true;
        else if (result.kind !== 'status')
          context.client.countFailed(`alerts.ack attempt ${attempts}: ${result.message}`);
        if (!acked) await sleep(1000);
      }
      if (!healed) {
        await sleep(Math.max(0, healAt - Date.now()));
        await setLinkUp(LINKS.districtBff, true);
      }
      context.log(acked ? `  ack went through at attempt ${attempts}` : `  ack refused ${attempts} times`);
      return async () => {
        const alert = await findStickyAlert(context.client).catch(() => undefined);
        return alert?.ack ? undefined : 'the ack is not shown at the BFF yet';
      };
    },
  },
  {
    id: 3,
    name: "the probe's PostgreSQL killed under ingest, then started",
    run: async (context) => {
      const { topology } = context;
      await topology.probeDatabase.crash();
      if (context.break === 'lose-journal') {
        // Broken on purpose: the probe is killed while its acked samples wait in the journal, and
        // the journal is lost, as if the node acked before anything durable held the message.
        await sleep(outage(context, 10_000, 3000));
        await topology.probe.stop('SIGKILL');
        for (const name of readdirSync(topology.probe.dataDir))
          rmSync(join(topology.probe.dataDir, name), { recursive: true, force: true });
        context.log('  --break lose-journal: probe killed and its journal deleted while PostgreSQL was down');
        await sleep(outage(context, 10_000, 2000));
        await topology.probeDatabase.start();
        await topology.probe.start();
        return;
      }
      await sleep(outage(context, 20_000, 5000));
      await topology.probeDatabase.start();
    },
  },
  {
    id: 4,
    name: 'Mosquitto restarted under ingest',
    run: async (context) => {
      await context.topology.mosquitto.restart();
    },
  },
  {
    id: 5,
    name: 'SIGKILL of each process kind in turn (probe, district, BFF, simulator)',
    run: async (context) => {
      const { topology } = context;
      for (const member of [topology.probe, topology.district, topology.bffs[0]!, topology.simulator]) {
        await restart(member, 'SIGKILL', context);
        await sleep(outage(context, 10_000, 2000));
      }
    },
  },
  {
    id: 6,
    name: 'rolling restart (SIGTERM) of every node and the BFF under console queries',
    run: async (context) => {
      const { topology } = context;
      for (const member of [topology.probe, topology.district, ...topology.bffs]) {
        await restart(member, 'SIGTERM', context);
        await sleep(outage(context, 10_000, 2000));
      }
    },
  },
  {
    id: 7,
    name: 'slow link (1 Mbit/s) between district and BFF',
    run: async (context) => {
      await setLinkRate(LINKS.districtBff, '1mbit');
      try {
        await sleep(outage(context, 60_000, 8000));
      } finally {
        await setLinkRate(LINKS.districtBff, undefined);
      }
    },
  },
];

/** The sticky device's open alert at the probe, as the BFF lists it. */
async function findStickyAlert(client: ConsoleClient): Promise<Alert> {
  for (let attempt = 0; attempt < 30; attempt++) {
    const result = await client.call('alerts.list', {
      input: { deviceId: STICKY_DEVICE, nodePath: PROBE_PATH, states: ['firing'], limit: 10 },
    });
    const alert = result.ok ? (result.data as AlertPage).items[0] : undefined;
    if (alert) return alert;
    await sleep(1000);
  }
  throw new Error(`the BFF lists no firing alert of ${STICKY_DEVICE}`);
}
