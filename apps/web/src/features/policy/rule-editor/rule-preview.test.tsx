import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { PreviewRuleInput, RulePreview } from '@tierscope/shared/schemas';
import { createMemoryHistory, createRootRoute, createRouter, RouterProvider } from '@tanstack/react-router';
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { HOT_RULE } from '../../../testing/test-rules.ts';
import { rulePreviewQueryOptions } from '../policy-queries.ts';
import { RulePreviewResult } from './rule-preview.tsx';

const INPUT: PreviewRuleInput = {
  rule: HOT_RULE,
  from: 0,
  to: 24 * 3600 * 1000,
};

const PREVIEW: RulePreview = {
  fired: 4,
  flapping: 1,
  resolved: 3,
  devices: [{ nodePath: 'district-1/probe-a', deviceId: 'sensor-7', fired: 4 }],
  timeline: [],
  timelineComplete: true,
  replayed: { samples: 1_040, events: 2 },
  coverage: {
    asked: 2,
    answered: 1,
    nodes: [
      { path: 'district-1/probe-a', state: 'ok', latencyMs: 12 },
      { path: 'district-2/probe-c', state: 'timeout', latencyMs: 10_000, message: 'no answer within 10 s' },
    ],
  },
};

/** The preview as the server answered it, already in the cache: the component asks nothing. */
function renderPreview() {
  const client = new QueryClient();
  client.setQueryData(rulePreviewQueryOptions(INPUT).queryKey, PREVIEW);
  const router = createRouter({
    routeTree: createRootRoute({ component: () => <RulePreviewResult input={INPUT} outdated={false} /> }),
    history: createMemoryHistory({ initialEntries: ['/policy'] }),
  });
  render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
}

describe('RulePreviewResult', () => {
  it('gives the counts as lower bounds when a node did not answer', async () => {
    renderPreview();
    expect((await screen.findByTestId('preview-fired')).textContent).toBe('≥ 4');
    expect((await screen.findByTestId('preview-resolved')).textContent).toBe('≥ 3');
  });

  it('names the nodes that did not answer and why', async () => {
    renderPreview();
    expect((await screen.findByTestId('preview-partial')).textContent).toContain(
      'district-2/probe-c timed out: no answer within 10 s',
    );
  });

  it('lists the devices it would have fired for, with their node', async () => {
    renderPreview();
    const table = await screen.findByRole('table', { name: 'Devices it would have fired for' });
    expect(within(table).getByRole('rowheader').textContent).toBe('sensor-7');
    expect(
      within(table)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['district-1/probe-a', '4']);
  });
});
