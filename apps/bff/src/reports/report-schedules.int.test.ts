import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarizeReport, type ConsoleApiRouter } from '@tierscope/shared';
import { startTestSmtpServer, type TestSmtpServer } from '@tierscope/test-support/test-smtp-server';
import { REPO_ROOT } from '@tierscope/test-support/processes';
import { APP_ROOT } from '../app-root.ts';
import { startBff, type RunningBff } from '../bff.ts';
import { loadBffConfig } from '../env.ts';
import {
  fetchAs,
  loginToConsole,
  spawnTestNode,
  waitFor,
  waitForNodesUp,
  waitReady,
  type NodeProcess,
} from '../testing/processes.ts';
import { testClock } from '../testing/test-app.ts';

/*
 * Done-when 2 of issue 16: a schedule fires under a fake clock, the report is printed by Chromium
 * from the console page, archived, and emailed with the PDF attached to an SMTP server the test
 * runs; a refusing server leaves the archive row retrying, then failed. One PGlite probe, and the
 * BFF in this process so its scheduler runs on the test's clock.
 */
const CHROMIUM = '/usr/bin/chromium';
const WEB_DIST = join(APP_ROOT, '../web/dist');
const ARTIFACT = join(REPO_ROOT, 'e2e/artifacts/report-pdf-page1.png');
const HOUR_MS = 3_600_000;
const EXPECTED_INTERVAL_MS = 2000;

const dataDir = mkdtempSync(join(tmpdir(), 'tierscope-report-schedules-'));
const clock = testClock(Date.now());
let probe: NodeProcess;
let smtp: TestSmtpServer;
let bff: RunningBff;
let admin: TRPCClient<ConsoleApiRouter>;
let devices: mqtt.MqttClient | undefined;
let reporting: NodeJS.Timeout | undefined;

const percent = new Intl.NumberFormat('en-US', {
  style: 'percent',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

async function publish(topic: string, payload: string): Promise<void> {
  const client = await mqtt.connectAsync(probe.mqttUrl, { clientId: `pub-${Math.random()}` });
  await client.publishAsync(topic, payload, { qos: 1, retain: topic.endsWith('/status') });
  await client.endAsync();
}

/** Moves the clock to the schedule's next run and lets the scheduler run what is due. */
async function fireNext(scheduleId: number): Promise<void> {
  const schedule = (await admin.console.reportSchedules.list.query()).find((s) => s.id === scheduleId)!;
  clock.advance(Math.max(0, schedule.nextRunAt - clock.now()));
  await bff.reports.tick();
}

beforeAll(async () => {
  if (!existsSync(join(WEB_DIST, 'index.html')))
    execFileSync('npm', ['run', '--silent', 'build', '-w', '@tierscope/web', '--', '--logLevel', 'error'], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    });
  smtp = await startTestSmtpServer();
  probe = await spawnTestNode('probe-a', dataDir);
  await waitReady(probe, 60_000);
  bff = await startBff(
    loadBffConfig({
      NODE_ID: 'bff',
      HTTP_PORT: '0',
      DATABASE_URL: 'pglite:memory',
      BFF_ADMIN_USER: 'admin',
      BFF_ADMIN_PASSWORD: 'tierscope-test-admin-password',
      CHILDREN: `probe-a=${probe.url}`,
      WEB_DIST,
      LOG_LEVEL: 'warn',
      CHROMIUM_PATH: CHROMIUM,
      SMTP_URL: smtp.url,
      SMTP_FROM: 'Tierscope <reports@tierscope.test>',
      REPORT_DELIVERY_ATTEMPTS: '3',
    }),
    { now: () => clock.now(), runSchedules: false },
  );
  admin = createTRPCClient<ConsoleApiRouter>({
    links: [httpLink({ url: `${bff.url}/trpc`, fetch: fetchAs(await loginToConsole(bff.url)) })],
  });
  await waitForNodesUp(() => admin.node.info.query(), 1, 60_000);
  for (const [id, kind, site] of [
    ['pump-1', 'pump', 'north'],
    ['meter-1', 'meter', 'south'],
  ] as const) {
    await admin.devices.upsert.mutate({
      nodePath: 'probe-a',
      deviceId: id,
      name: id,
      kind,
      site,
      expectedIntervalMs: EXPECTED_INTERVAL_MS,
    });
    await publish(`devices/${id}/status`, 'online');
  }
  // The devices report at their expected interval for as long as the test runs: never silent,
  // so the availability the PDF printed is the one asked for afterwards.
  devices = await mqtt.connectAsync(probe.mqttUrl, { clientId: 'report-devices' });
  const report = () => {
    for (const id of ['pump-1', 'meter-1'])
      void devices!.publishAsync(
        `devices/${id}/telemetry`,
        JSON.stringify({ ts: Date.now(), metrics: { temp: 21.5 } }),
      );
  };
  report();
  reporting = setInterval(report, EXPECTED_INTERVAL_MS);
  await waitFor(
    'both devices online at the BFF',
    async () => (await admin.devices.list.query({})).items.filter((d) => d.status === 'online').length === 2,
    30_000,
  );
}, 240_000);

afterAll(async () => {
  clearInterval(reporting);
  await devices?.endAsync();
  await bff?.stop();
  await probe?.stop();
  await smtp?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('scheduled reports', () => {
  it('emails the PDF of the report page when the schedule fires, with the headline figures in it', async () => {
    const schedule = await admin.console.reportSchedules.create.mutate({
      name: 'Weekly fleet',
      cron: '0 7 * * 1',
      timeZone: 'Europe/Berlin',
      recipients: ['ceo@example.com', 'ops@example.com'],
      format: 'pdf',
      period: '7d',
      grouping: 'site',
    });
    expect(smtp.emails).toHaveLength(0);

    await fireNext(schedule.id);

    expect(smtp.emails).toHaveLength(1);
    const [email] = smtp.emails;
    expect(email!.to.sort()).toEqual(['ceo@example.com', 'ops@example.com']);
    expect(email!.mail.subject).toBe('Tierscope report: Weekly fleet (Last 7 days)');
    const pdf = email!.mail.attachments.find((a) => a.contentType === 'application/pdf');
    expect(pdf?.content.subarray(0, 5).toString()).toBe('%PDF-');

    const [archived] = await admin.console.reportArchive.list.query({ scheduleId: schedule.id });
    expect(archived).toMatchObject({ delivery: 'delivered', attempts: 1, format: 'pdf', lastError: null });
    const figures = await admin.reports.figures.query({ from: archived!.from, to: archived!.to });
    const summary = summarizeReport(figures);
    expect(summary.availability).not.toBeNull();

    const pdfFile = join(dataDir, 'report.pdf');
    writeFileSync(pdfFile, pdf!.content);
    const text = execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' });
    expect(text).toContain('Tierscope report · Last 7 days');
    expect(text).toContain('1 of 1 nodes answered');
    expect(text).toContain('AVAILABILITY');
    expect(text).toContain(percent.format(summary.availability!));
    expect(text).toContain(`${figures.total.devices} devices`);
    expect(text).toContain('north');
    expect(text).toMatch(/Page 1 of \d/);

    mkdirSync(join(REPO_ROOT, 'e2e/artifacts'), { recursive: true });
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '80',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      pdfFile,
      ARTIFACT.slice(0, -4),
    ]);
    expect(existsSync(ARTIFACT)).toBe(true);

    // The archive keeps the same file for viewers to open later.
    const opened = await fetchAs(await loginToConsole(bff.url))(`${bff.url}${archived!.href}`);
    expect(opened.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await opened.arrayBuffer()).equals(pdf!.content)).toBe(true);
    // A viewer scoped to another subtree neither lists nor opens it.
    const password = 'a long enough test password';
    await admin.console.users.create.mutate({ name: 'sam', role: 'viewer', scope: ['probe-b'], password });
    const first = await loginToConsole(bff.url, { username: 'sam', password });
    const changed = await fetch(`${bff.url}/auth/password`, {
      method: 'POST',
      headers: { ...first.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ currentPassword: password, newPassword: `${password}!` }),
    });
    expect(changed.status).toBe(200);
    const sam = await loginToConsole(bff.url, { username: 'sam', password: `${password}!` });
    const samClient = createTRPCClient<ConsoleApiRouter>({
      links: [httpLink({ url: `${bff.url}/trpc`, fetch: fetchAs(sam) })],
    });
    expect(await samClient.console.reportArchive.list.query({})).toEqual([]);
    expect((await fetchAs(sam)(`${bff.url}${archived!.href}`)).status).toBe(404);

    await admin.console.reportSchedules.delete.mutate({ id: schedule.id });
  }, 120_000);

  it('shows a refused email as retrying, then failed once its attempts are spent', async () => {
    const schedule = await admin.console.reportSchedules.create.mutate({
      name: 'Daily CSV',
      cron: '30 6 * * *',
      recipients: ['cfo@example.com'],
      format: 'csv',
      period: '7d',
    });
    smtp.refusing = true;
    await fireNext(schedule.id);
    const row = async () => (await admin.console.reportArchive.list.query({ scheduleId: schedule.id }))[0]!;
    expect(await row()).toMatchObject({ delivery: 'retrying', attempts: 1 });
    expect((await row()).lastError).toContain('451');

    clock.advance(HOUR_MS);
    await bff.reports.tick();
    expect(await row()).toMatchObject({ delivery: 'retrying', attempts: 2 });

    clock.advance(HOUR_MS);
    await bff.reports.tick();
    expect(await row()).toMatchObject({ delivery: 'failed', attempts: 3, nextAttemptAt: null });
    expect((await row()).lastError).toContain('451');
    expect(smtp.emails.filter((e) => e.to.includes('cfo@example.com'))).toHaveLength(0);
    smtp.refusing = false;
  }, 60_000);
});
