import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { CommandDeclarations } from '@tierscope/shared/schemas';
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SendCommandForm } from './send-command-form.tsx';

const PUMP = CommandDeclarations.parse({
  pump: {
    reboot: { description: 'Restart the device.' },
    'set-speed': {
      params: {
        type: 'object',
        properties: { rpm: { type: 'integer', minimum: 0, maximum: 3000 } },
        required: ['rpm'],
      },
    },
  },
}).pump!;

function renderForm() {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <SendCommandForm nodePath="district-1/probe-a" deviceId="pump-1" commands={PUMP} />
    </QueryClientProvider>,
  );
  return screen.getByRole('form', { name: 'Send a command' });
}

describe('SendCommandForm', () => {
  it("offers the kind's commands and renders the chosen one's parameters with their bounds", () => {
    renderForm();
    const command = screen.getByLabelText<HTMLSelectElement>('Command');
    expect([...command.options].map((o) => o.value)).toEqual(['reboot', 'set-speed']);
    expect(screen.getByText('This command takes no parameters.')).toBeTruthy();
    fireEvent.change(command, { target: { value: 'set-speed' } });
    expect(screen.getByLabelText('rpm')).toBeTruthy();
    expect(screen.getByText('a whole number, 0 to 3000')).toBeTruthy();
  });

  it('marks a parameter out of bounds beside its field instead of sending it', () => {
    renderForm();
    fireEvent.change(screen.getByLabelText('Command'), { target: { value: 'set-speed' } });
    const rpm = screen.getByLabelText('rpm');
    fireEvent.change(rpm, { target: { value: '5000' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send set-speed' }));
    expect(screen.getByText('At most 3000')).toBeTruthy();
    expect(rpm.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Send set-speed' }).disabled).toBe(false);
  });
});
