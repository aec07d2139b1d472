import type { NodeService } from '@tierscope/shared';

/** How many alert streams a node serves, counted where they are served. */
export interface AlertStreamCount {
  /** Streams open now. */
  open: number;
  /** Streams opened since the count began. */
  opened: number;
  /** The most open at once. */
  peak: number;
}

export const noAlertStreams = (): AlertStreamCount => ({ open: 0, opened: 0, peak: 0 });

/**
 * The node's service with its `alerts.watch` counted: what a child sees of its parent's streams,
 * for tests that prove how many a tier opens.
 */
export function countAlertStreams(service: NodeService, count: AlertStreamCount): NodeService {
  const watch = service.alerts.watch.bind(service.alerts);
  return {
    ...service,
    alerts: {
      ...service.alerts,
      async *watch(input, signal) {
        count.open += 1;
        count.opened += 1;
        count.peak = Math.max(count.peak, count.open);
        try {
          yield* watch(input, signal);
        } finally {
          count.open -= 1;
        }
      },
    },
  };
}
