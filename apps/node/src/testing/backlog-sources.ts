import type { BacklogSources, SourceReading } from '../backlogs/backlog-monitor.ts';
import type { ParentReading } from '../backlogs/parent-links.ts';

/** Backlog sources a test sets by hand; a source set to an Error fails its next reads. */
export interface SettableBacklogSources extends BacklogSources {
  state: {
    ingest: SourceReading;
    webhooks: (SourceReading & { webhookId: string })[] | Error;
    parents: ParentReading[] | Error;
  };
}

export function settableBacklogSources(): SettableBacklogSources {
  const state: SettableBacklogSources['state'] = {
    ingest: { depth: 0, drainedTotal: 0, oldestAt: null },
    webhooks: [],
    parents: [],
  };
  const answer = async <T>(value: T | Error): Promise<T> => {
    if (value instanceof Error) throw value;
    return value;
  };
  return {
    state,
    ingest: () => state.ingest,
    webhooks: () => answer(state.webhooks),
    parents: () => answer(state.parents),
  };
}
