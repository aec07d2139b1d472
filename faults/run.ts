// `npm run faults [-- --quick] [--only <n>] [--bff-replicas <n>] [--break lose-journal] [--keep-logs <dir>]`: the fault
// suite (docs/decisions/0019-fault-suite.md). Progress on stderr, one JSON line on stdout; the exit
// code is 1 when anything acked went missing, was stored twice, a request failed, or a scenario
// did not recover by itself.
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loginToConsole } from '@tierscope/test-support/console-session';
import { checkOnce, waitConsistent } from './lib/checks.ts';
import { removeSuiteNetwork } from './lib/netns.ts';
import { exitCode, scenarioLine, summarize, type ScenarioResult } from './lib/result.ts';
import { startTopology, PROBE_PATH, type Topology } from './lib/topology.ts';
import {
  ALERT_RULE,
  startAlertTraffic,
  startConsoleClient,
  watchAlerts,
  type AlertTraffic,
  type AlertWatch,
  type ConsoleClient,
} from './lib/traffic.ts';
import { BREAKS, SCENARIOS, type Break, type Scenario } from './scenarios/scenarios.ts';

const DIR = '/tmp/tierscope-faults';
/** Where a failed run leaves its processes' logs (the rest of DIR is removed). */
const FAILED_RUN_LOGS = '/tmp/tierscope-faults-logs';
/** The console client's deadline: the BFF's federation deadline (1.5 s) and then some. */
const CLIENT_DEADLINE_MS = 5000;

const log = (line: string): void => void process.stderr.write(`[faults] ${line}\n`);

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'bff-replicas': { type: 'string', default: '2' },
    break: { type: 'string' },
    'keep-logs': { type: 'string' },
  },
});
const only = values.only === undefined ? undefined : Number(values.only);
const replicas = Number(values['bff-replicas']);
const breakMode = values.break as Break | undefined;
if (
  (only !== undefined && !SCENARIOS.some((s) => s.id === only)) ||
  !Number.isInteger(replicas) ||
  replicas < 1 ||
  (breakMode !== undefined && !BREAKS.includes(breakMode))
) {
  process.stderr.write(
    `usage: tsx faults/run.ts [--quick] [--only 1-${SCENARIOS.length}] [--bff-replicas n] [--break ${BREAKS.join('|')}] [--keep-logs dir]\n`,
  );
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  log('the fault suite creates network namespaces and needs root');
  process.exit(2);
}
const quick = values.quick;
const scenarios = SCENARIOS.filter((s) => only === undefined || s.id === only);

let topology: Topology | undefined;
let alerts: AlertTraffic | undefined;
let client: ConsoleClient | undefined;
let stream: AlertWatch | undefined;
const teardown = async (): Promise<void> => {
  stream?.stop();
  await client?.stop().catch(() => undefined);
  await alerts?.stop().catch(() => undefined);
  if (values['keep-logs'] !== undefined) keepLogs(values['keep-logs']);
  await topology?.stop().catch((error: unknown) => log(`teardown: ${String(error)}`));
  // Whatever a failed start left behind.
  await removeSuiteNetwork().catch(() => undefined);
};
/** The processes' logs, copied out before the teardown removes the run's directory. */
function keepLogs(to: string): void {
  if (!topology) return;
  try {
    rmSync(to, { recursive: true, force: true });
    cpSync(join(topology.dir, 'logs'), to, { recursive: true });
    log(`the processes' logs are in ${to}`);
  } catch (error) {
    log(`could not keep the logs: ${String(error)}`);
  }
}
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${signal}: cleaning up`);
    void teardown().finally(() => process.exit(130));
  });

const started = Date.now();
try {
  log(`starting the topology (${replicas} BFF replica${replicas > 1 ? 's behind HAProxy' : ''})…`);
  topology = await startTopology({ dir: DIR, bffReplicas: replicas, rate: quick ? 100 : 200, log });
  const session = await loginToConsole(topology.bffUrl);
  client = startConsoleClient(topology.bffUrl, session, CLIENT_DEADLINE_MS);
  await installRule(client);
  stream = watchAlerts(topology.bffUrl, session, log);
  alerts = await startAlertTraffic(topology.probeMqttUrl);
  const results: ScenarioResult[] = [];
  const recoverMs = quick ? 90_000 : 180_000;
  // A first check, so a scenario starts from a consistent state (and the start-up is not blamed on it).
  const baseline = await waitConsistent(() => checkOnce(topology!, alerts!, client!, stream!), recoverMs);
  if (!baseline.recovered)
    throw new Error(`not consistent before the first scenario: ${baseline.figures.pending.join('; ')}`);
  client.take();
  log(
    `consistent after start-up; running ${scenarios.map((s) => s.id).join(', ')}${quick ? ' (--quick)' : ''}`,
  );
  for (const scenario of scenarios) results.push(await runScenario(scenario, recoverMs));
  const summary = summarize(results, quick);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
  process.exitCode = exitCode(summary, scenarios.length);
  if (process.exitCode !== 0) keepLogs(FAILED_RUN_LOGS);
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
  keepLogs(FAILED_RUN_LOGS);
} finally {
  await teardown();
}

async function runScenario(scenario: Scenario, recoverMs: number): Promise<ScenarioResult> {
  log(`scenario ${scenario.id}: ${scenario.name}…`);
  client!.take();
  const extra = await scenario.run({
    topology: topology!,
    client: client!,
    alerts: alerts!,
    quick,
    break: breakMode,
    log,
  });
  // Healed: devices stop changing sides so the expected state holds still while it converges.
  alerts!.hold();
  const outcome = await waitConsistent(
    () => checkOnce(topology!, alerts!, client!, stream!, extra ?? undefined),
    recoverMs,
  );
  alerts!.resume();
  const tally = client!.take();
  // A process that died and was not restarted by the scenario: what it printed last.
  const dead = [topology!.probe, topology!.district, ...topology!.bffs, topology!.simulator]
    .filter((member) => !member.alive())
    .map((member) => `${member.name} is not running; its last output:\n${member.output().slice(-1500)}`);
  const result: ScenarioResult = {
    id: scenario.id,
    name: scenario.name,
    recovered: outcome.recovered,
    recoverS: outcome.seconds,
    failedRequests: tally.failed,
    ackedMissing: outcome.figures.ackedMissing,
    duplicates: outcome.figures.duplicates,
    alertsMissing: outcome.figures.alertsMissing,
    notes: [...tally.failures, ...outcome.figures.pending, ...dead],
  };
  log(`${scenarioLine(result)}\n    checked ${outcome.figures.checked}, ${tally.requests} console requests`);
  return result;
}

/** The alert rule at the probe, through the BFF (retried: the tree may still be settling). */
async function installRule(console: ConsoleClient): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const result = await console.call('rules.upsert', {
      input: { nodePath: PROBE_PATH, rule: ALERT_RULE },
      mutation: true,
    });
    if (result.ok) return;
    if (attempt >= 30) throw new Error(`rules.upsert through the BFF: ${JSON.stringify(result)}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
