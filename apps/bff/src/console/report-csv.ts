import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { availabilityOf, type GroupFigures, type ReportFigures } from '@tierscope/shared';
import { z } from 'zod';

export const ReportGrouping = z.enum(['node', 'site', 'kind']);
export type ReportGrouping = z.infer<typeof ReportGrouping>;

const HOUR_MS = 3_600_000;

export const REPORT_CSV_HEADER = [
  'grouping',
  'group',
  'devices',
  'availability_percent',
  'observed_hours',
  'down_hours',
  'expected_samples',
  'received_samples',
  'completeness_percent',
] as const;

function percent(part: number, whole: number): number | '' {
  return whole > 0 ? Math.round((part / whole) * 1e6) / 1e4 : '';
}

function rowOf(grouping: ReportGrouping, group: GroupFigures): Array<string | number> {
  const availability = availabilityOf(group);
  return [
    grouping,
    group.key,
    group.devices,
    availability === null ? '' : Math.round(availability * 1e6) / 1e4,
    group.observedMs / HOUR_MS,
    group.downMs / HOUR_MS,
    Math.round(group.expectedSamples),
    group.receivedSamples,
    percent(group.receivedSamples, group.expectedSamples),
  ];
}

/**
 * The report's groups as CSV, one header row and one row per group, streamed. A cell that starts
 * with `=`, `+`, `-` or `@` (a site named by a user, say) is prefixed with `'` so a spreadsheet
 * shows it as text instead of running it as a formula; numbers stay numbers.
 */
export function reportCsv(figures: ReportFigures, grouping: ReportGrouping): Readable {
  const rows = figures.groups[grouping].map((group) => rowOf(grouping, group));
  return Readable.from(rows).pipe(
    stringify({
      header: true,
      columns: [...REPORT_CSV_HEADER],
      escape_formulas: true,
      record_delimiter: 'windows',
    }),
  );
}
