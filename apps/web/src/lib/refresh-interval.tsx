import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

export interface RefreshOption {
  label: string;
  /** 0 pauses refreshing. */
  ms: number;
}

export const REFRESH_OPTIONS: readonly RefreshOption[] = [
  { label: 'Paused', ms: 0 },
  { label: 'Every 2 s', ms: 2_000 },
  { label: 'Every 5 s', ms: 5_000 },
  { label: 'Every 15 s', ms: 15_000 },
  { label: 'Every minute', ms: 60_000 },
];

const DEFAULT_REFRESH_MS = 5_000;
/** An operator's preference, kept per browser rather than in shared links. */
const STORAGE_KEY = 'tierscope.refreshMs';

interface RefreshIntervalState {
  refreshMs: number;
  setRefreshMs: (ms: number) => void;
}

const RefreshIntervalContext = createContext<RefreshIntervalState | null>(null);

function readStoredRefreshMs(): number {
  const stored = Number(globalThis.localStorage?.getItem(STORAGE_KEY));
  return REFRESH_OPTIONS.some((o) => o.ms === stored) && stored !== 0 ? stored : DEFAULT_REFRESH_MS;
}

export function RefreshIntervalProvider({ children }: { children: ReactNode }) {
  const [refreshMs, setState] = useState(readStoredRefreshMs);
  const setRefreshMs = useCallback((ms: number) => {
    setState(ms);
    if (ms !== 0) globalThis.localStorage?.setItem(STORAGE_KEY, String(ms));
  }, []);
  const value = useMemo(() => ({ refreshMs, setRefreshMs }), [refreshMs, setRefreshMs]);
  return <RefreshIntervalContext value={value}>{children}</RefreshIntervalContext>;
}

export function useRefreshInterval(): RefreshIntervalState {
  const state = useContext(RefreshIntervalContext);
  if (!state) throw new Error('useRefreshInterval needs a RefreshIntervalProvider');
  return state;
}

/** The `refetchInterval` for a query: the operator's choice, or false while paused. */
export function useRefetchInterval(): number | false {
  const { refreshMs } = useRefreshInterval();
  return refreshMs === 0 ? false : refreshMs;
}
