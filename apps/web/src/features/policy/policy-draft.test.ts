import type { PolicyContent } from '@tierscope/shared/schemas';
import { describe, expect, it } from 'vitest';
import {
  contentFromDraft,
  draftFromContent,
  newBundleDraft,
  newRuleDraft,
  previewNodePath,
} from './policy-draft.ts';
import { HOT_RULE } from '../../testing/test-rules.ts';
import { EMPTY_RULE_FORM } from './rule-editor/rule-form.ts';

const CONTENT: PolicyContent = {
  bundles: [
    {
      name: 'fleet defaults',
      target: '**',
      rules: [HOT_RULE],
      silences: [
        {
          id: 'night',
          kind: 'maintenance',
          matchers: { nodePath: 'district-1' },
          startsAt: 1_000,
          endsAt: 2_000,
          comment: '',
        },
      ],
      routes: [
        {
          id: 'ops',
          url: 'https://hooks.example.com/ops',
          minSeverity: 'warning',
          sendResolved: true,
          timeoutMs: 10_000,
        },
      ],
      retention: { rawDays: 7 },
      unknownDevices: 'reject',
      declaredMetrics: ['humidity', 'temp'],
    },
    {
      name: 'probe a',
      target: 'district-1/probe-a',
      rules: [],
      silences: [],
      routes: [],
      retention: {},
      declaredMetrics: [],
    },
  ],
};

describe('policy draft', () => {
  it('maps a version’s content to a draft and back unchanged', () => {
    expect(contentFromDraft(draftFromContent(CONTENT, 3))).toEqual({ content: CONTENT });
  });

  it('starts empty when there is no version yet', () => {
    expect(draftFromContent(null, null)).toEqual({ baseVersion: null, bundles: [] });
    expect(contentFromDraft({ baseVersion: null, bundles: [] })).toEqual({ content: { bundles: [] } });
  });

  it('reads declared metrics separated by commas or spaces, and empty JSON fields as none', () => {
    const bundle = { ...newBundleDraft(), name: 'b', declaredMetrics: 'temp, humidity  co2', routes: ' ' };
    expect(contentFromDraft({ baseVersion: null, bundles: [bundle] })).toMatchObject({
      content: { bundles: [{ declaredMetrics: ['temp', 'humidity', 'co2'], routes: [], silences: [] }] },
    });
  });

  it('names every problem by bundle, rule and field', () => {
    const bundle = {
      ...newBundleDraft(),
      name: 'edge',
      target: 'District 1',
      routes: '[{',
      rules: [newRuleDraft({ ...EMPTY_RULE_FORM, id: 'r1', name: 'R', metric: 'temp' })],
    };
    const result = contentFromDraft({ baseVersion: null, bundles: [bundle] });
    const problems = 'problems' in result ? result.problems : [];
    expect(problems.map((p) => p.where)).toEqual([
      'Bundle 1 “edge”, rule 1 (r1), value',
      'Bundle 1 “edge”, routes',
      'Bundle 1 “edge”, target',
    ]);
    expect(problems[0]?.message).toBe('Required.');
    expect(problems[1]?.message).toMatch(/^Not JSON: /);
    expect(problems[2]?.message).toBe('target: "**", "<node path>/**" or "<node path>"');
  });

  it('points a contract problem in a JSON field at its item and key', () => {
    const bundle = { ...newBundleDraft(), name: 'b', routes: '[{"id": "ops", "url": "ftp://x"}]' };
    expect(contentFromDraft({ baseVersion: null, bundles: [bundle] })).toEqual({
      problems: [{ where: 'Bundle 1 “b”, routes[0].url', message: 'url: an http:// or https:// URL' }],
    });
  });

  it('previews a bundle’s rule at the node its target names, or the whole fleet for **', () => {
    expect(previewNodePath('**')).toBeUndefined();
    expect(previewNodePath('district-1/**')).toBe('district-1');
    expect(previewNodePath('district-1/probe-a')).toBe('district-1/probe-a');
  });
});
