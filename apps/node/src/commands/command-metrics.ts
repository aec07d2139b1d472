import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The commands' Prometheus metrics, on the registry the node exposes at /metrics. */
export interface CommandMetrics {
  /** Commands published to their device's topic. */
  published: Counter;
  /** Commands refused before anything was stored or published (undeclared, bad params). */
  refused: Counter;
  /** Commands that reached a final state, by state. */
  finished: Counter<'state'>;
  /** Queued and sent commands. */
  open: Gauge;
  /** From publishing to the device's ack. */
  roundTrip: Histogram;
}

export function createCommandMetrics(registry: Registry): CommandMetrics {
  const registers = [registry];
  return {
    published: new Counter({
      name: 'tierscope_commands_published_total',
      help: 'Commands published to devices',
      registers,
    }),
    refused: new Counter({
      name: 'tierscope_commands_refused_total',
      help: 'Commands refused before publishing: not declared for the device kind, or bad params',
      registers,
    }),
    finished: new Counter({
      name: 'tierscope_commands_finished_total',
      help: 'Commands that reached a final state, by state',
      labelNames: ['state'],
      registers,
    }),
    open: new Gauge({
      name: 'tierscope_commands_open',
      help: 'Commands queued for an offline device or sent and awaiting their ack',
      registers,
    }),
    roundTrip: new Histogram({
      name: 'tierscope_command_round_trip_seconds',
      help: 'From publishing a command to its ack being committed',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
  };
}
