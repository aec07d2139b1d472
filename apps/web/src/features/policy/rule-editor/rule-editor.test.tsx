import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { RuleEditor } from './rule-editor.tsx';
import { EMPTY_RULE_FORM, type RuleForm } from './rule-form.ts';

function Editor() {
  const [form, setForm] = useState<RuleForm>(EMPTY_RULE_FORM);
  return (
    <RuleEditor
      label="Rule 1"
      form={form}
      onChange={setForm}
      onRemove={() => undefined}
      previewNodePath={undefined}
    />
  );
}

describe('RuleEditor', () => {
  it('shows each kind’s own fields', () => {
    render(<Editor />);
    expect(screen.getByLabelText('Hysteresis')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Kind'), { target: { value: 'event-match' } });
    expect(screen.queryByLabelText('Hysteresis')).toBeNull();
    expect(screen.getByLabelText('Event type')).toBeTruthy();
    expect(screen.getByLabelText('Resolve after (seconds)')).toBeTruthy();
  });

  it('shows a field’s error once it was left, tied to the field', () => {
    render(<Editor />);
    const id = screen.getByLabelText('Rule id');
    fireEvent.change(id, { target: { value: 'bad id' } });
    expect(screen.queryByText(/^Rule id: 1–64/)).toBeNull();
    fireEvent.blur(id);
    const error = screen.getByText(/^Rule id: 1–64/);
    expect(id.getAttribute('aria-invalid')).toBe('true');
    expect(id.getAttribute('aria-describedby')).toContain(error.id);
  });

  it('refuses to preview an invalid rule and marks every bad field', () => {
    render(<Editor />);
    fireEvent.click(screen.getByRole('button', { name: 'Preview last 24 h' }));
    expect(screen.getByRole('alert').textContent).toBe('Fix the fields marked above to preview.');
    expect(screen.getByLabelText('Metric').getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByTestId('rule-preview')).toBeNull();
  });
});
