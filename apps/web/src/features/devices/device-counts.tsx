import { queryOptions, useQuery } from '@tanstack/react-query';
import type { DeviceCounts } from '@tierscope/shared/schemas';
import { Count } from '../../components/ui/count.tsx';
import { useRefetchInterval } from '../../lib/refresh-interval.tsx';
import { api } from '../../lib/trpc.ts';

export const deviceCountsQueryOptions = (nodePath?: string) =>
  queryOptions({
    queryKey: ['devices.count', { nodePath }],
    queryFn: ({ signal }) =>
      api.devices.count.query({ ...(nodePath !== undefined && { nodePath }) }, { signal }),
  });

/**
 * The fleet's devices by status as a summary tile, counted at each node and summed by the server;
 * with a node missing every figure reads as a lower bound.
 */
export function DeviceCountsKpi() {
  const { data } = useQuery({ ...deviceCountsQueryOptions(), refetchInterval: useRefetchInterval() });
  return data ? <DeviceCountsTile counts={data} /> : null;
}

/** The tile for `counts`: each figure a lower bound when a node did not answer. */
export function DeviceCountsTile({ counts }: { counts: DeviceCounts }) {
  // Types only from the contract: the overview carries no zod.
  const lowerBound = counts.coverage.answered < counts.coverage.asked;
  const { online, offline, unknown } = counts.byStatus;
  return (
    <div className="kpi" data-testid="kpi-devices">
      <span className="kpi-label">Devices</span>
      <span className="kpi-value" data-testid="devices-total">
        <Count value={counts.total} lowerBound={lowerBound} />
      </span>
      <span className="kpi-note">
        <Count value={online} lowerBound={lowerBound} /> online ·{' '}
        <Count value={offline} lowerBound={lowerBound} /> offline
        {unknown > 0 && (
          <>
            {' '}
            · <Count value={unknown} lowerBound={lowerBound} /> not yet heard
          </>
        )}
        {lowerBound && ' · some nodes not counted'}
      </span>
    </div>
  );
}
