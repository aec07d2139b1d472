import { useQuery } from '@tanstack/react-query';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { PageHeader } from '../../components/ui/page-header.tsx';
import {
  reportArchiveQueryOptions,
  reportSchedulesQueryOptions,
} from '../../features/report-schedules/report-schedule-queries.ts';
import {
  ReportArchiveTable,
  ReportScheduleTable,
} from '../../features/report-schedules/report-schedule-tables.tsx';
import { useRefetchInterval } from '../../lib/refresh-interval.tsx';

/** Scheduled reports and the archive of what they made and emailed (docs/decisions/0031). */
export function ReportSchedulesRoute() {
  const refetchInterval = useRefetchInterval();
  const schedules = useQuery({ ...reportSchedulesQueryOptions(), refetchInterval });
  const archive = useQuery({ ...reportArchiveQueryOptions(), refetchInterval });
  return (
    <>
      <PageHeader
        title="Scheduled reports"
        subtitle="Reports made on a schedule as their author and emailed; every one is kept in the archive."
      />
      <FanOutPanel
        title="Schedules"
        query={schedules}
        showLatency={false}
        summary={`${schedules.data?.length ?? 0}`}
        isEmpty={schedules.data?.length === 0}
        emptyTitle="No schedules"
        emptyText="Admins create them through console.reportSchedules.create."
        testId="report-schedules-panel"
      >
        <ReportScheduleTable schedules={schedules.data ?? []} />
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
    </>
  );
}
