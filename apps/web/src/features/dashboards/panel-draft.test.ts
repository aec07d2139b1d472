import { describe, expect, it } from 'vitest';
import { draftOf, newPanelDraft, panelOfDraft } from './panel-draft.ts';

describe('panel drafts', () => {
  it('turns a stat draft into a panel with its thresholds, and back', () => {
    const draft = {
      ...newPanelDraft([]),
      title: 'Highest CO2',
      kind: 'stat' as const,
      metric: 'co2_ppm',
      aggregation: 'max' as const,
      warning: '1000',
      critical: '1400',
      site: ' s01 ',
    };
    const checked = panelOfDraft(draft);
    if (!('panel' in checked)) throw new Error(checked.problems.join('; '));
    expect(checked.panel).toMatchObject({
      id: 'panel-1',
      query: { metric: 'co2_ppm', site: 's01', labels: [], groupBy: { by: 'none' } },
      thresholds: [
        { value: 1000, level: 'warning' },
        { value: 1400, level: 'critical' },
      ],
    });
    expect(panelOfDraft(draftOf(checked.panel))).toEqual(checked);
  });

  it('names the field of every problem', () => {
    const checked = panelOfDraft({
      ...newPanelDraft([]),
      metric: 'co2 ppm',
      groupBy: 'top',
      topLimit: '500',
    });
    expect('problems' in checked && checked.problems).toEqual([
      expect.stringMatching(/^Title: /),
      expect.stringMatching(/^Metric: /),
      expect.stringMatching(/^Top devices: /),
    ]);
  });

  it('places a new panel below the others with an id not taken', () => {
    const first = panelOfDraft({ ...newPanelDraft([]), title: 'a', metric: 'x' });
    if (!('panel' in first)) throw new Error('invalid');
    const next = newPanelDraft([first.panel]);
    expect(next.id).toBe('panel-2');
    expect(next.grid.y).toBe(first.panel.grid.y + first.panel.grid.h);
  });
});
