import { tracked } from '@trpc/server';
import {
  AckAlertInput,
  Alert,
  AlertNotifications,
  AlertRef,
  CreateSilenceInput,
  ListAlertsInput,
  ListSilencesInput,
  Silence,
  SilenceRef,
  WatchAlertsInput,
  type AlertChange,
} from './alerts.schemas.ts';
import type { AlertsService } from './alerting.service.ts';
import { operatorProcedure, router, viewerProcedure } from './trpc.ts';

export const alertsRouter = router({
  /** A page has no `.output()`: the parent checks what it takes (docs/decisions/0012). */
  list: viewerProcedure
    .meta({ page: true })
    .input(ListAlertsInput)
    .query(({ ctx, input }) => ctx.node.alerts.list(input)),
  ack: operatorProcedure
    .meta({ audit: 'alert.ack' })
    .input(AckAlertInput)
    .output(Alert)
    .mutation(({ ctx, input }) => ctx.node.alerts.ack(input, ctx.actor)),
  unack: operatorProcedure
    .meta({ audit: 'alert.unack' })
    .input(AlertRef)
    .output(Alert)
    .mutation(({ ctx, input }) => ctx.node.alerts.unack(input, ctx.actor)),
  /** Who was told of the alert, how, when and with what outcome, at every tier on its way. */
  notifications: viewerProcedure
    .input(AlertRef)
    .output(AlertNotifications)
    .query(({ ctx, input }) => ctx.node.alerts.notifications(input)),
  /** Live changes with resumable ids: a client that reconnects with its last id misses nothing. */
  watch: viewerProcedure
    .input(WatchAlertsInput)
    .subscription(({ ctx, input, signal }) => trackedChanges(ctx.node.alerts, input, signal)),
});

export const silencesRouter = router({
  /** A page has no `.output()`: the parent checks what it takes (docs/decisions/0012). */
  list: viewerProcedure
    .meta({ page: true })
    .input(ListSilencesInput)
    .query(({ ctx, input }) => ctx.node.silences.list(input)),
  create: operatorProcedure
    .meta({ audit: 'silence.create' })
    .input(CreateSilenceInput)
    .output(Silence)
    .mutation(({ ctx, input }) => ctx.node.silences.create(input, ctx.actor)),
  expire: operatorProcedure
    .meta({ audit: 'silence.expire' })
    .input(SilenceRef)
    .output(Silence)
    .mutation(({ ctx, input }) => ctx.node.silences.expire(input, ctx.actor)),
});

async function* trackedChanges(
  alerts: AlertsService,
  input: WatchAlertsInput,
  signal: AbortSignal | undefined,
): AsyncGenerator<ReturnType<typeof tracked<AlertChange>>, void, undefined> {
  for await (const item of alerts.watch(input, signal ?? new AbortController().signal)) {
    yield tracked(item.id, item.change);
  }
}
