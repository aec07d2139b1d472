import type { Locator, Page } from '@playwright/test';

/** /login: the login form, then (for a password set by someone else) the new-password step. */
export class LoginPage {
  constructor(readonly page: Page) {}

  get form(): Locator {
    return this.page.getByRole('form', { name: 'Log in' });
  }

  get error(): Locator {
    return this.page.getByRole('alert');
  }

  async logIn(username: string, password: string): Promise<void> {
    await this.form.getByLabel('User name').fill(username);
    await this.form.getByLabel('Password', { exact: true }).fill(password);
    await this.form.getByRole('button', { name: 'Log in' }).click();
  }

  /** The step after logging in with a one-time or reset password. */
  async chooseNewPassword(password: string): Promise<void> {
    const form = this.page.getByRole('form', { name: 'Change password' });
    await form.getByLabel('New password', { exact: true }).fill(password);
    await form.getByLabel('Repeat the new password').fill(password);
    await form.getByRole('button', { name: 'Save and continue' }).click();
  }
}
