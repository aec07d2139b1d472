import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReportSchedule } from '@tierscope/shared/schemas';
import { useMemo, useState } from 'react';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { PageHeader } from '../../components/ui/page-header.tsx';
import { ReportScheduleDialog } from '../../features/report-schedules/report-schedule-dialog.tsx';
import {
  reportArchiveQueryOptions,
  reportSchedulesQueryOptions,
} from '../../features/report-schedules/report-schedule-queries.ts';
import {
  ReportArchiveTable,
  ReportScheduleTable,
  type ScheduleActions,
} from '../../features/report-schedules/report-schedule-tables.tsx';
import { api } from '../../lib/trpc.ts';
import { useNodeTree } from '../../lib/node-watch.tsx';
import { useRefetchInterval } from '../../lib/refresh-interval.tsx';

/** Which schedule the editor shows: none (closed), a new one, or one being edited. */
type Editing = { open: false } | { open: true; schedule: ReportSchedule | undefined };

/** Scheduled reports, their editor, and the archive of what they made and emailed (docs/decisions/0031). */
export function ReportSchedulesRoute() {
  const refetchInterval = useRefetchInterval();
  const queryClient = useQueryClient();
  const schedules = useQuery({ ...reportSchedulesQueryOptions(), refetchInterval });
  const archive = useQuery({ ...reportArchiveQueryOptions(), refetchInterval });
  const { rows: nodes } = useNodeTree();
  const nodePaths = useMemo(() => nodes.map((n) => n.path).filter((path) => path !== ''), [nodes]);
  const [editing, setEditing] = useState<Editing>({ open: false });
  const refresh = () => queryClient.invalidateQueries({ queryKey: reportSchedulesQueryOptions().queryKey });
  const setPaused = useMutation({
    mutationFn: ({ id, paused }: { id: number; paused: boolean }) =>
      api.console.reportSchedules.update.mutate({ id, paused }),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: number) => api.console.reportSchedules.delete.mutate({ id }),
    onSettled: refresh,
  });
  const actions: ScheduleActions = {
    onEdit: (schedule) => setEditing({ open: true, schedule }),
    onSetPaused: (schedule, paused) => setPaused.mutate({ id: schedule.id, paused }),
    onDelete: (schedule) => {
      if (window.confirm(`Delete the schedule "${schedule.name}"? Its archived reports stay.`))
        remove.mutate(schedule.id);
    },
    busyId: setPaused.isPending ? setPaused.variables.id : remove.isPending ? remove.variables : undefined,
  };
  const actionError = setPaused.error ?? remove.error;
  return (
    <>
      <PageHeader
        title="Scheduled reports"
        subtitle="Reports made on a schedule as their author and emailed; every one is kept in the archive."
        actions={
          <button
            type="button"
            className="button"
            data-variant="primary"
            onClick={() => setEditing({ open: true, schedule: undefined })}
          >
            New schedule
          </button>
        }
      />
      {actionError && <ErrorNotice error={actionError} />}
      <FanOutPanel
        title="Schedules"
        query={schedules}
        showLatency={false}
        summary={`${schedules.data?.length ?? 0}`}
        isEmpty={schedules.data?.length === 0}
        emptyTitle="No schedules"
        emptyText="Create one with “New schedule”: a report made on a cron schedule and emailed."
        testId="report-schedules-panel"
      >
        <ReportScheduleTable
          schedules={schedules.data ?? []}
          reports={archive.data ?? []}
          actions={actions}
        />
      </FanOutPanel>
      <FanOutPanel
        title="Archive"
        query={archive}
        showLatency={false}
        summary={`${archive.data?.length ?? 0}`}
        isEmpty={archive.data?.length === 0}
        emptyTitle="No reports yet"
        emptyText="A schedule's reports appear here when it first fires."
        testId="report-archive-panel"
      >
        <ReportArchiveTable reports={archive.data ?? []} />
      </FanOutPanel>
      <ReportScheduleDialog
        open={editing.open}
        schedule={editing.open ? editing.schedule : undefined}
        nodePaths={nodePaths}
        onClose={() => setEditing({ open: false })}
      />
    </>
  );
}
