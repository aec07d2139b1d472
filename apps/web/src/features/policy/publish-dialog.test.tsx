import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { PublishDialog } from './publish-dialog.tsx';

function renderDialog() {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <PublishDialog
        open
        content={{ bundles: [] }}
        nodePaths={['district-1', 'district-1/probe-a']}
        onClose={() => undefined}
        onPublished={() => undefined}
      />
    </QueryClientProvider>,
  );
  return screen.getByRole('dialog', { name: 'Publish policy' });
}

describe('PublishDialog', () => {
  it('publishes to every node at once unless canaries are picked', () => {
    renderDialog();
    expect(screen.getByRole('button', { name: 'Publish to every node' })).toBeTruthy();
    fireEvent.click(screen.getByRole('checkbox', { name: 'district-1/probe-a' }));
    expect(screen.getByRole('button', { name: 'Publish to 1 canary first' })).toBeTruthy();
  });

  it('refuses a canary hold that is not 0 to 86400 seconds', () => {
    renderDialog();
    const hold = screen.getByLabelText('Canary hold (seconds)');
    fireEvent.change(hold, { target: { value: '-5' } });
    expect(hold.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('0 to 86400 seconds.')).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Publish to every node' }).disabled).toBe(
      true,
    );
  });
});
