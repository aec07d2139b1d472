import { describe, expect, it } from 'vitest';
import { drainStalls, integrityFailures, runOneBench } from './integrity.ts';

describe('integrityFailures', () => {
  it('fails a run that lost one message', () => {
    expect(integrityFailures({ published: 1000, stored: 999, lost: 1, duplicates: 0 })).toEqual(['lost = 1']);
  });

  it('fails a run that stored a message twice or never saw an alert', () => {
    expect(integrityFailures({ lost: 0, duplicates: 2, missing: 3 })).toEqual([
      'duplicates = 2',
      'missing = 3',
    ]);
  });

  it('fails a run past a budget it names', () => {
    expect(integrityFailures({ lost: 0, budgets_exceeded: ['first_route_js_br_kb 131 > 120'] })).toEqual([
      'first_route_js_br_kb 131 > 120',
    ]);
    expect(integrityFailures({ budgets_exceeded: [] })).toEqual([]);
  });

  it('passes a sound run, and one that counts none of these', () => {
    expect(integrityFailures({ lost: 0, duplicates: 0, missing: 0 })).toEqual([]);
    expect(integrityFailures({ p95_ms: 12 })).toEqual([]);
  });
});

describe('drainStalls', () => {
  it('counts each time the node called its backlog stalled during the run', () => {
    expect(
      drainStalls(['empty', 'growing', 'stalled', 'stalled', 'draining', 'stalled', 'empty'], { depth: 0 }),
    ).toBe(2);
  });

  it('counts a backlog not back to zero at the end as a stall, and one the node never reported too', () => {
    expect(drainStalls(['growing', 'draining'], { depth: 12 })).toBe(1);
    expect(drainStalls([], null)).toBe(1);
  });

  it('counts none for a backlog that grew, drained and ended empty', () => {
    expect(drainStalls(['empty', 'growing', 'draining', 'empty'], { depth: 0 })).toBe(0);
  });
});

describe('runOneBench', () => {
  const quiet = () => {
    const lines: string[] = [];
    return { lines, out: { line: (text: string) => lines.push(text), progress: () => {} } };
  };

  it('prints the line of a run that lost one message, and exits non-zero', async () => {
    const { lines, out } = quiet();
    const code = await runOneBench(
      'ingest',
      { runBench: async () => ({ stored: 9, lost: 1 }) },
      { quick: true },
      out,
    );
    expect(code).toBe(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ bench: 'ingest', lost: 1, quick: true });
  });

  it('fails a run whose drain stalled and names it', async () => {
    const progress: string[] = [];
    const code = await runOneBench(
      'burst',
      { runBench: async () => ({ lost: 0, drain_stalls: 1 }) },
      { quick: true },
      { line: () => {}, progress: (text) => progress.push(text) },
    );
    expect(code).toBe(1);
    expect(progress.join('\n')).toContain('drain_stalls = 1');
  });

  it('exits zero for a sound run', async () => {
    const { out } = quiet();
    expect(await runOneBench('ingest', { runBench: async () => ({ lost: 0 }) }, { quick: true }, out)).toBe(
      0,
    );
  });
});
