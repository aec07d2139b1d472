import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setSession } from '../../lib/session.ts';
import { LoginForm } from './login-form.tsx';

afterEach(() => {
  vi.unstubAllGlobals();
  setSession(null);
});

function submit(username: string, password: string) {
  fireEvent.change(screen.getByLabelText('User name'), { target: { value: username } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: password } });
  fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
}

describe('LoginForm', () => {
  it('says the name or password is wrong and clears the password', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(new Response('{"error":"wrong"}', { status: 401 })));
    render(<LoginForm onLoggedIn={() => undefined} />);
    submit('ana', 'wrong one');
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain('Wrong user name or password.'),
    );
    expect(screen.getByLabelText<HTMLInputElement>('Password').value).toBe('');
    expect(screen.getByLabelText('User name').getAttribute('aria-invalid')).toBe('true');
  });

  it('says how long to wait when rate-limited', async () => {
    vi.stubGlobal('fetch', () =>
      Promise.resolve(
        new Response('{"error":"too many"}', { status: 429, headers: { 'retry-after': '45' } }),
      ),
    );
    render(<LoginForm onLoggedIn={() => undefined} />);
    submit('ana', 'whatever');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('Try again in 45 seconds.'));
  });

  it('hands the AuthState and the password typed to the page', async () => {
    const state = {
      user: { name: 'ana', role: 'admin', scope: ['**'], mustChangePassword: true },
      csrfToken: 't',
      expiresAt: Date.now() + 3_600_000,
    };
    vi.stubGlobal('fetch', () => Promise.resolve(new Response(JSON.stringify(state), { status: 200 })));
    const onLoggedIn = vi.fn();
    render(<LoginForm onLoggedIn={onLoggedIn} />);
    submit(' ana ', 'one-time-pass');
    await waitFor(() => expect(onLoggedIn).toHaveBeenCalledWith(state, 'one-time-pass'));
  });
});
