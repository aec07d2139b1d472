import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setSession } from '../../lib/session.ts';
import { ChangePasswordForm, newPasswordProblem } from './change-password-form.tsx';

afterEach(() => {
  vi.unstubAllGlobals();
  setSession(null);
});

describe('newPasswordProblem', () => {
  it('wants 12 characters, a change, and the same password twice', () => {
    expect(newPasswordProblem('short', 'short')).toMatch(/at least 12/);
    expect(newPasswordProblem('the same old one', 'the same old one', 'the same old one')).toMatch(
      /other than/,
    );
    expect(newPasswordProblem('a long passphrase', 'a long passphrasf')).toMatch(/differ/);
    expect(newPasswordProblem('a long passphrase', 'a long passphrase', 'old')).toBeNull();
  });
});

describe('ChangePasswordForm', () => {
  it('uses the password just typed at login, and says when the server refuses', async () => {
    setSession({
      user: { name: 'ana', role: 'viewer', scope: ['**'], mustChangePassword: true },
      csrfToken: 't',
      expiresAt: Date.now() + 3_600_000,
    });
    const fetch = vi.fn(() =>
      Promise.resolve(
        new Response(JSON.stringify({ error: 'the current password is wrong' }), { status: 403 }),
      ),
    );
    vi.stubGlobal('fetch', fetch);
    render(<ChangePasswordForm knownCurrentPassword="one-time-pass" onChanged={() => undefined} />);
    expect(screen.queryByLabelText('Current password')).toBeNull();
    fireEvent.change(screen.getByLabelText('New password'), { target: { value: 'my own passphrase' } });
    fireEvent.change(screen.getByLabelText('Repeat the new password'), {
      target: { value: 'my own passphrase' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain('The current password is wrong.'),
    );
    const body = JSON.parse(
      (fetch.mock.calls[0] as unknown as [string, RequestInit])[1].body as string,
    ) as unknown;
    expect(body).toEqual({ currentPassword: 'one-time-pass', newPassword: 'my own passphrase' });
  });

  it('takes the login password even when it arrives after the form appeared', async () => {
    const fetch = vi.fn(() => Promise.resolve(new Response('{}', { status: 403 })));
    vi.stubGlobal('fetch', fetch);
    const { rerender } = render(<ChangePasswordForm onChanged={() => undefined} />);
    rerender(<ChangePasswordForm knownCurrentPassword="one-time-pass" onChanged={() => undefined} />);
    fireEvent.change(screen.getByLabelText('New password'), { target: { value: 'my own passphrase' } });
    fireEvent.change(screen.getByLabelText('Repeat the new password'), {
      target: { value: 'my own passphrase' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
    await waitFor(() => expect(fetch).toHaveBeenCalledOnce());
    const body = JSON.parse((fetch.mock.calls[0] as unknown as [string, RequestInit])[1].body as string) as {
      currentPassword: string;
    };
    expect(body.currentPassword).toBe('one-time-pass');
  });

  it('does not send a password the server would refuse', () => {
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    render(<ChangePasswordForm onChanged={() => undefined} />);
    fireEvent.change(screen.getByLabelText('Current password'), { target: { value: 'old' } });
    fireEvent.change(screen.getByLabelText('New password'), { target: { value: 'too short' } });
    fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect(screen.getByRole('alert').textContent).toMatch(/at least 12 characters/);
    expect(fetch).not.toHaveBeenCalled();
  });
});
