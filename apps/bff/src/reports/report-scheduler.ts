// Runs the report schedules: makes each due report as its author, archives it, emails it with
// retries (docs/decisions/0031-report-pdf-and-schedules.md).
import { Cron } from 'croner';
import type { Logger } from 'pino';
import { decide, type Mailer, type RetryPolicy } from '@tierscope/notify';
import type { ReportMaker } from './report-maker.ts';
import type { ArchiveRow, DeliveryUpdate, ReportStore, ScheduleRow } from './report-store.ts';

export interface ReportSchedulerSettings {
  /** Archived reports older than this are deleted. */
  retentionMs: number;
  /** Attempts per email before its row shows `failed`. */
  maxAttempts: number;
  retry: RetryPolicy;
  /** How often due schedules and deliveries are looked for. */
  tickMs: number;
}

export interface ReportSchedulerDeps {
  store: ReportStore;
  maker: ReportMaker;
  /** Undefined without SMTP_URL: every delivery fails, saying so. */
  mailer: Mailer | undefined;
  settings: ReportSchedulerSettings;
  /** The scheduler's clock: tests move it and call tick(). */
  now: () => number;
  logger: Logger;
}

/** The next time a cron expression fires after `after`, in its zone; throws on a bad expression. */
export function nextRunOf(cron: string, timeZone: string, after: number): Date {
  const next = new Cron(cron, { timezone: timeZone, paused: true }).nextRun(new Date(after));
  if (!next) throw new Error(`cron "${cron}" never fires again`);
  return next;
}

export class ReportScheduler {
  readonly #deps: ReportSchedulerDeps;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(deps: ReportSchedulerDeps) {
    this.#deps = deps;
  }

  start(): void {
    this.#timer = setInterval(() => void this.tick(), this.#deps.settings.tickMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** Runs what is due now: schedules, then deliveries waiting for another attempt, then retention. One at a time. */
  tick(): Promise<void> {
    this.#running ??= this.#runDue().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #runDue(): Promise<void> {
    const { store, settings, logger } = this.#deps;
    try {
      for (const schedule of await store.dueSchedules(this.#deps.now())) await this.#fire(schedule);
      for (const row of await store.dueDeliveries(this.#deps.now())) await this.#deliver(row);
      const purged = await store.purgeArchive(this.#deps.now() - settings.retentionMs);
      if (purged > 0) logger.info({ purged }, 'archived reports past their retention deleted');
    } catch (error) {
      logger.error({ err: error }, 'report schedules not run');
    }
  }

  /** Makes a due schedule's report once (another replica may have claimed it) and sends it. */
  async #fire(schedule: ScheduleRow): Promise<void> {
    const { store, maker, logger } = this.#deps;
    const at = this.#deps.now();
    const next = nextRunOf(schedule.cron, schedule.timeZone, at);
    if (!(await store.claimRun(schedule.id, schedule.nextRunAt, next))) return;
    const base = {
      scheduleId: schedule.id,
      name: schedule.name,
      madeAt: new Date(at),
      nodePath: schedule.nodePath ?? '',
      format: schedule.format,
      recipients: schedule.recipients,
    };
    let row: ArchiveRow;
    try {
      const made = await maker.make({
        userId: schedule.createdBy,
        format: schedule.format,
        paper: schedule.paper,
        page: {
          period: schedule.period,
          group: schedule.grouping,
          ...(schedule.nodePath && { node: schedule.nodePath }),
        },
        timeZone: schedule.timeZone,
        at,
      });
      row = await store.archive({
        ...base,
        period: made.period,
        fromMs: made.from,
        toMs: made.to,
        coverage: made.coverage,
        fileName: made.fileName,
        content: made.content,
        delivery: 'sending',
        nextAttemptAt: new Date(at),
      });
    } catch (error) {
      // Not made: kept as a failed row, so the archive shows the run and why.
      const message = error instanceof Error ? error.message : String(error);
      logger.error({ err: error, schedule: schedule.id }, 'scheduled report not made');
      await store.archive({
        ...base,
        period: schedule.period,
        fromMs: 0,
        toMs: 0,
        coverage: '',
        fileName: '',
        content: Buffer.alloc(0),
        delivery: 'failed',
        lastError: `report not made: ${message}`.slice(0, 1000),
      });
      return;
    }
    await this.#deliver(row);
  }

  async #deliver(row: ArchiveRow): Promise<void> {
    const { store, mailer, settings, logger } = this.#deps;
    const attempts = row.attempts + 1;
    const outcome = mailer
      ? await mailer.send({
          to: row.recipients,
          subject: `Tierscope report: ${row.name} (${row.period})`,
          text: reportEmailText(row),
          attachments: [
            {
              filename: row.fileName,
              content: row.content,
              contentType: row.format === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8',
            },
          ],
        })
      : ({ kind: 'unsendable', error: 'no SMTP_URL at the BFF: email cannot be sent' } as const);
    const now = this.#deps.now();
    const decision = decide(outcome, attempts, now, settings.retry);
    const update: DeliveryUpdate =
      decision.action === 'delivered'
        ? {
            delivery: 'delivered',
            attempts,
            nextAttemptAt: null,
            lastError: null,
            deliveredAt: new Date(now),
          }
        : decision.action === 'retry' && attempts < settings.maxAttempts
          ? {
              delivery: 'retrying',
              attempts,
              nextAttemptAt: new Date(now + decision.delayMs),
              lastError: decision.error,
              deliveredAt: null,
            }
          : {
              delivery: 'failed',
              attempts,
              nextAttemptAt: null,
              lastError: decision.error,
              deliveredAt: null,
            };
    await store.updateDelivery(row.id, update);
    if (update.delivery !== 'delivered')
      logger.warn(
        { report: row.id, attempts, state: update.delivery, error: update.lastError },
        'report email not delivered',
      );
  }
}

function reportEmailText(row: ArchiveRow): string {
  return [
    `${row.name}: ${row.period}.`,
    row.coverage && `Coverage: ${row.coverage}.`,
    `Made ${row.madeAt.toISOString()}; the file is attached and kept in the console's report archive.`,
  ]
    .filter(Boolean)
    .join('\n');
}
