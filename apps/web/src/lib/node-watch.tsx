import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import type { NodeInfo } from '@tierscope/shared/schemas';
import {
  createContext,
  useContext,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import { appendSample, sampleOf, type NodeSample } from './node-history.ts';
import { flattenNodeTree, type TreeNode } from './node-tree.ts';
import { useRefreshInterval } from './refresh-interval.tsx';
import { api } from './trpc.ts';

/** The live connection to `node.watch`: what the header's indicator shows. */
export type WatchState =
  | { kind: 'connecting'; error?: unknown }
  | { kind: 'live' }
  | { kind: 'paused' }
  | { kind: 'error'; error: unknown };

const nodeInfoKey = ['node.info'] as const;

export const nodeInfoQueryOptions = () =>
  queryOptions({
    queryKey: nodeInfoKey,
    queryFn: ({ signal }) => api.node.info.query(undefined, { signal }),
    // node.watch keeps it fresh; a fetch happens only when nothing has arrived yet.
    staleTime: Infinity,
  });

/** The console's short history of the tree, kept for as long as the tab is open. */
let history: NodeSample[] = [];
const historyListeners = new Set<() => void>();
function recordSample(sample: NodeSample): void {
  history = appendSample(history, sample);
  for (const listener of historyListeners) listener();
}
function subscribeHistory(listener: () => void): () => void {
  historyListeners.add(listener);
  return () => historyListeners.delete(listener);
}

const WatchStateContext = createContext<WatchState>({ kind: 'connecting' });

/**
 * Holds one `node.watch` subscription for the whole console at the chosen refresh interval: each
 * tree it sends becomes the `node.info` query's data and a sample of the history.
 */
export function NodeWatchProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const { refreshMs } = useRefreshInterval();
  // The state reported by the subscription for one interval; a new interval starts as connecting.
  const [reported, setReported] = useState<{ refreshMs: number; state: WatchState } | null>(null);
  const state: WatchState =
    refreshMs === 0
      ? { kind: 'paused' }
      : reported?.refreshMs === refreshMs
        ? reported.state
        : { kind: 'connecting' };

  useEffect(() => {
    if (refreshMs === 0) return;
    const setState = (next: WatchState) => setReported({ refreshMs, state: next });
    const subscription = api.node.watch.subscribe(
      { intervalMs: refreshMs },
      {
        onData: (info: NodeInfo) => {
          queryClient.setQueryData(nodeInfoKey, info);
          recordSample(sampleOf(flattenNodeTree(info), Date.now()));
          setState({ kind: 'live' });
        },
        onError: (error) => setState({ kind: 'error', error }),
        onConnectionStateChange: (connection) => {
          if (connection.state === 'connecting')
            setState({ kind: 'connecting', ...(connection.error && { error: connection.error }) });
        },
      },
    );
    return () => subscription.unsubscribe();
  }, [refreshMs, queryClient]);

  return <WatchStateContext value={state}>{children}</WatchStateContext>;
}

export function useWatchState(): WatchState {
  return useContext(WatchStateContext);
}

export interface NodeTreeState {
  /** The tree flattened, root first; empty before the first answer. */
  rows: TreeNode[];
  data: NodeInfo | undefined;
  /** `error` also while the live stream is broken: the rows are then the last answer received. */
  status: 'pending' | 'error' | 'success';
  error: unknown;
  dataUpdatedAt: number;
  isSuccess: boolean;
  refetch: () => unknown;
}

/** The tier tree as last received, with the loading state and any error, the live stream's included. */
export function useNodeTree(): NodeTreeState {
  const query = useQuery(nodeInfoQueryOptions());
  const watch = useWatchState();
  const rows = useMemo(() => (query.data ? flattenNodeTree(query.data) : []), [query.data]);
  const watchError = 'error' in watch ? watch.error : undefined;
  const failed = query.status === 'error' || (watchError !== undefined && query.status === 'success');
  return {
    rows,
    data: query.data,
    status: failed ? 'error' : query.status,
    error: query.error ?? watchError,
    dataUpdatedAt: query.dataUpdatedAt,
    isSuccess: query.isSuccess,
    refetch: query.refetch,
  };
}

export function useNodeHistory(): NodeSample[] {
  return useSyncExternalStore(subscribeHistory, () => history);
}
