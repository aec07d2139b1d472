import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { emptyReportFigures } from '@tierscope/shared';
import { reportCsv } from './report-csv.ts';

function figuresWithSites(...sites: string[]) {
  const figures = emptyReportFigures(0, 3_600_000, 3_600_000, { asked: 1, answered: 1, nodes: [] });
  figures.groups.site = sites.map((key) => ({
    key,
    devices: 2,
    observedMs: 7_200_000,
    downMs: 72_000,
    expectedSamples: 120,
    receivedSamples: 90,
  }));
  return figures;
}

describe('report CSV', () => {
  it('has one header row and one row per group', async () => {
    const lines = (await text(reportCsv(figuresWithSites('north', 'south'), 'site'))).trimEnd().split('\r\n');
    expect(lines).toEqual([
      'grouping,group,devices,availability_percent,observed_hours,down_hours,expected_samples,received_samples,completeness_percent',
      'site,north,2,99,2,0.02,120,90,75',
      'site,south,2,99,2,0.02,120,90,75',
    ]);
  });

  it('escapes cells that a spreadsheet would run as a formula', async () => {
    const csv = await text(
      reportCsv(figuresWithSites('=HYPERLINK("x")', '+1', '-2', '@SUM(A1)', 'plain'), 'site'),
    );
    const groups = csv
      .trimEnd()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(',')[1]);
    expect(groups).toEqual([`"'=HYPERLINK(""x"")"`, "'+1", "'-2", "'@SUM(A1)", 'plain']);
  });
});
