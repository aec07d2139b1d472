import { useInfiniteQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useCallback, useMemo, useState } from 'react';
import { Count } from '../../components/ui/count.tsx';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { PageHeader } from '../../components/ui/page-header.tsx';
import { BulkCommandDialog } from '../../features/commands/bulk-command-dialog.tsx';
import { CommandJobPanel } from '../../features/commands/command-job-panel.tsx';
import { AddDeviceDialog } from '../../features/devices/add-device-dialog.tsx';
import { DeviceFilters } from '../../features/devices/device-filters.tsx';
import { ImportDevicesDialog } from '../../features/devices/import-devices-dialog.tsx';
import { deviceListQueryOptions } from '../../features/devices/device-queries.ts';
import { DeviceTable } from '../../features/devices/device-table.tsx';
import { parseDevicesSearch, type DevicesSearch } from '../../features/devices/devices-search.ts';
import { formatCount } from '../../lib/format.ts';
import { findNode } from '../../lib/node-tree.ts';
import { useNodeTree } from '../../lib/node-watch.tsx';
import { usePagedList } from '../../lib/paged-list.ts';
import { useRefetchInterval } from '../../lib/refresh-interval.tsx';
import { useRoleAllows } from '../../lib/session.ts';

type Dialog = 'bulk' | 'add' | 'import' | null;

const route = getRouteApi('/devices');

/**
 * Every device of every node, or of one node's subtree: searched and filtered on the server, paged
 * through the federation cursor.
 */
export function DevicesRoute() {
  const rawSearch = route.useSearch();
  const search = useMemo(() => parseDevicesSearch(rawSearch), [rawSearch]);
  const navigate = route.useNavigate();
  const { rows: nodes } = useNodeTree();
  const query = useInfiniteQuery(
    deviceListQueryOptions(
      { search: search.q, status: search.status, label: search.label, nodePath: search.node },
      useRefetchInterval(),
    ),
  );
  const { rows, coverage, loadMore } = usePagedList(query);
  const setFilters = useCallback(
    (next: Partial<DevicesSearch>) =>
      void navigate({ search: (prev) => ({ ...prev, ...next }), replace: true }),
    [navigate],
  );
  const nodeOptions = useMemo(
    () => nodes.filter((n) => n.path !== '').map((n) => ({ path: n.path, label: n.path })),
    [nodes],
  );
  const filtered = Boolean(search.q || search.status || search.label);
  const scopeInfo = findNode(nodes, search.node ?? '')?.info;
  const partial = coverage !== undefined && coverage.answered < coverage.asked;
  const [dialog, setDialog] = useState<Dialog>(null);
  // Devices live on the leaves: the nodes without children.
  const ownerPaths = useMemo(
    () => nodes.filter((n) => n.path !== '' && n.childPaths.length === 0).map((n) => n.path),
    [nodes],
  );

  return (
    <>
      <PageHeader
        title="Devices"
        subtitle={
          scopeInfo && !filtered ? (
            <>
              <Count value={scopeInfo.devices.total} lowerBound={scopeInfo.devices.lowerBound} /> devices
              {search.node ? ` under ${search.node}` : ' across every node'}
            </>
          ) : (
            'Search across every node'
          )
        }
        actions={<DeviceActions searchText={search.q} onOpen={(next) => setDialog(next)} />}
      />
      {search.job && <CommandJobPanel jobId={search.job} onClose={() => setFilters({ job: undefined })} />}
      <BulkCommandDialog
        open={dialog === 'bulk'}
        filters={{ nodePath: search.node, status: search.status, label: search.label }}
        onClose={() => setDialog(null)}
        onStarted={(job) => {
          setDialog(null);
          setFilters({ job: job.jobId });
        }}
      />
      <AddDeviceDialog open={dialog === 'add'} nodePaths={ownerPaths} onClose={() => setDialog(null)} />
      <ImportDevicesDialog
        open={dialog === 'import'}
        nodePaths={ownerPaths}
        onClose={() => setDialog(null)}
      />
      <DeviceFilters value={search} nodes={nodeOptions} onChange={setFilters} />
      <FanOutPanel
        title={filtered ? 'Matching devices' : 'All devices'}
        query={query}
        coverage={coverage}
        summary={query.data && `${formatCount(rows.length)}${query.hasNextPage ? '+' : ''} shown`}
        isEmpty={rows.length === 0 && !query.hasNextPage}
        emptyTitle="No devices match"
        emptyText={partial ? 'Some nodes did not answer: their devices may match.' : 'Try fewer filters.'}
        flush
        testId="devices-panel"
      >
        <DeviceTable
          devices={rows}
          hasMore={query.hasNextPage}
          loadingMore={query.isFetchingNextPage}
          onLoadMore={loadMore}
          footer={
            <>
              {formatCount(rows.length)} loaded
              {query.hasNextPage ? ' · scroll for more' : ' · end of list'}
            </>
          }
        />
      </FanOutPanel>
    </>
  );
}

/** What the user's role may do to devices: bulk commands (operators), provisioning (admins). */
function DeviceActions({
  searchText,
  onOpen,
}: {
  searchText: string | undefined;
  onOpen: (dialog: Exclude<Dialog, null>) => void;
}) {
  const canCommand = useRoleAllows('operator');
  const canProvision = useRoleAllows('admin');
  if (!canCommand) return null;
  return (
    <div className="row-gap wrap">
      <button
        type="button"
        className="button"
        disabled={searchText !== undefined}
        title={
          searchText !== undefined
            ? 'A bulk command selects by node, status and label: clear the search'
            : undefined
        }
        onClick={() => onOpen('bulk')}
      >
        Bulk command…
      </button>
      {canProvision && (
        <>
          <button type="button" className="button" onClick={() => onOpen('add')}>
            Add device…
          </button>
          <button type="button" className="button" onClick={() => onOpen('import')}>
            Import CSV…
          </button>
        </>
      )}
    </div>
  );
}
