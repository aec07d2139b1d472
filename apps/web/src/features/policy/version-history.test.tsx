import type { PolicyVersionSummary } from '@tierscope/shared/schemas';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { VersionHistory } from './version-history.tsx';

const version = (n: number, patch: Partial<PolicyVersionSummary> = {}): PolicyVersionSummary => ({
  author: 'bff',
  version: n,
  hash: `sha256:${String(n).repeat(64)}`,
  comment: `change ${n}`,
  publishedBy: 'admin',
  publishedAt: Date.now() - n * 60_000,
  canaries: [],
  canaryHoldMs: 30_000,
  phase: 'released',
  haltReason: null,
  rollbackOf: null,
  previousVersion: n > 1 ? n - 1 : null,
  ...patch,
});
const VERSIONS = [
  version(3, { rollbackOf: 1 }),
  version(2, { phase: 'halted', haltReason: 'probe-a refused' }),
  version(1),
];

function renderHistory(canRollBack: boolean, onToggleCompare = vi.fn()) {
  render(
    <VersionHistory
      versions={VERSIONS}
      currentVersion={3}
      canRollBack={canRollBack}
      compared={[1]}
      onToggleCompare={onToggleCompare}
    />,
  );
  return screen.getByRole('table', { name: 'Policy versions' });
}

describe('VersionHistory', () => {
  it('lists each version with its phase, comment, short hash and what it rolled back to', () => {
    const table = renderHistory(false);
    const row = within(table).getAllByTestId('version-row')[0]!;
    expect(row.textContent).toContain('v3 (current)');
    expect(row.textContent).toContain('change 3');
    expect(row.textContent).toContain('333333333333');
    expect(row.textContent).toContain('v1');
  });

  it('offers a viewer or operator no rollback at all', () => {
    renderHistory(false);
    expect(screen.queryByRole('button', { name: /Roll back/ })).toBeNull();
  });

  it('offers an admin a rollback to every version but the current one', () => {
    renderHistory(true);
    expect(screen.getAllByRole('button', { name: /Roll back to this version/ })).toHaveLength(2);
  });

  it('ticks versions to compare', () => {
    const onToggleCompare = vi.fn();
    renderHistory(false, onToggleCompare);
    expect(screen.getByRole<HTMLInputElement>('checkbox', { name: 'Compare version 1' }).checked).toBe(true);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Compare version 2' }));
    expect(onToggleCompare).toHaveBeenCalledWith(2);
  });
});
