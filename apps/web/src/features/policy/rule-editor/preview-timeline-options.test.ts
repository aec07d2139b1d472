import type { RulePreviewTransition } from '@tierscope/shared/schemas';
import { describe, expect, it } from 'vitest';
import type { ChartTheme } from '../../../components/charts/echart-option.ts';
import { describePreviewTimeline, previewTimelineOptions } from './preview-timeline-options.ts';

const theme: ChartTheme = {
  text: '#000',
  muted: '#555',
  grid: '#eee',
  surface: '#fff',
  border: '#ccc',
  palette: ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'],
};
const transition = (at: number, kind: RulePreviewTransition['kind']): RulePreviewTransition => ({
  at,
  kind,
  nodePath: 'district-1/probe-a',
  deviceId: 'sensor-1',
  value: 91.5,
});

describe('preview timeline', () => {
  const timeline = [transition(1_000, 'fired'), transition(2_000, 'resolved'), transition(3_000, 'fired')];

  it('puts each transition on its kind’s row at its time, over the previewed window', () => {
    const option = previewTimelineOptions({ preview: { timeline }, from: 0, to: 10_000, theme });
    expect(option.xAxis).toMatchObject({ type: 'time', min: 0, max: 10_000 });
    expect(option.series).toEqual([
      expect.objectContaining({
        type: 'scatter',
        data: [
          { value: [1_000, 'fired'], itemStyle: { color: 'c5' } },
          { value: [2_000, 'resolved'], itemStyle: { color: 'c2' } },
          { value: [3_000, 'fired'], itemStyle: { color: 'c5' } },
        ],
      }),
    ]);
  });

  it('names its counts, and says when the timeline holds only the first transitions', () => {
    expect(describePreviewTimeline({ timeline, timelineComplete: false })).toBe(
      "Timeline of the rule's transitions over the last 24 hours: 2 fired, 0 flapping, 1 resolved, the first ones only",
    );
  });
});
