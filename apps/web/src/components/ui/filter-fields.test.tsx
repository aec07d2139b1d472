import { act, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TYPING_SETTLE_MS } from '../../lib/use-draft.ts';
import { SelectFilter, TextFilter } from './filter-fields.tsx';

describe('TextFilter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** A parent that re-renders on its own (as a live list does) and hands a new callback each time. */
  function Busy({ onCommit }: { onCommit: (value: string | undefined) => void }) {
    const [, setTick] = useState(0);
    return (
      <>
        <button type="button" onClick={() => setTick((t) => t + 1)}>
          tick
        </button>
        <TextFilter
          label="Device"
          placeholder="Device id"
          maxLength={128}
          value={undefined}
          onCommit={(value) => onCommit(value)}
        />
      </>
    );
  }

  it('commits the trimmed text once typing settles, even while its parent re-renders', () => {
    const onCommit = vi.fn();
    render(<Busy onCommit={onCommit} />);
    fireEvent.change(screen.getByLabelText('Device'), { target: { value: '  pump-1 ' } });
    // The parent re-renders twice before typing settles: the timer must not start over.
    for (let i = 0; i < 2; i++) {
      act(() => {
        vi.advanceTimersByTime(TYPING_SETTLE_MS / 3);
      });
      fireEvent.click(screen.getByRole('button', { name: 'tick' }));
    }
    expect(onCommit).not.toHaveBeenCalled();
    act(() => {
      vi.advanceTimersByTime(TYPING_SETTLE_MS / 3);
    });
    expect(onCommit).toHaveBeenCalledTimes(1);
    expect(onCommit).toHaveBeenCalledWith('pump-1');
  });

  it('commits an emptied field as unset', () => {
    const onCommit = vi.fn();
    render(<TextFilter label="Actor" placeholder="User" maxLength={10} value="alice" onCommit={onCommit} />);
    fireEvent.change(screen.getByLabelText('Actor'), { target: { value: '   ' } });
    act(() => {
      vi.advanceTimersByTime(TYPING_SETTLE_MS);
    });
    expect(onCommit).toHaveBeenCalledWith(undefined);
  });
});

describe('SelectFilter', () => {
  const options = [
    { value: 'a', label: 'Alpha' },
    { value: 'b', label: 'Beta' },
  ];

  it('offers no filter first, and reports it as unset', () => {
    const onChange = vi.fn();
    render(<SelectFilter label="Node" anyLabel="All" options={options} value="b" onChange={onChange} />);
    const select = screen.getByLabelText('Node');
    expect([...select.querySelectorAll('option')].map((o) => o.textContent)).toEqual([
      'All',
      'Alpha',
      'Beta',
    ]);
    fireEvent.change(select, { target: { value: '' } });
    expect(onChange).toHaveBeenCalledWith(undefined);
  });

  it('keeps a value from the URL that is not among the options, shown as itself', () => {
    render(<SelectFilter label="Node" anyLabel="All" options={options} value="zeta" onChange={() => {}} />);
    const select = screen.getByLabelText<HTMLSelectElement>('Node');
    expect(select.value).toBe('zeta');
    expect([...select.querySelectorAll('option')].map((o) => o.textContent)).toEqual([
      'All',
      'zeta',
      'Alpha',
      'Beta',
    ]);
  });
});
