import type { Locator, Page } from '@playwright/test';

export type Role = 'viewer' | 'operator' | 'admin';

/** /admin/users: the users table and the new-user form. */
export class UsersPage {
  constructor(readonly page: Page) {}

  async goto(): Promise<void> {
    await this.page.goto('/admin/users');
    await this.page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
  }

  get table(): Locator {
    return this.page.getByRole('table', { name: 'Users' });
  }

  row(name: string): Locator {
    return this.table.getByRole('row').filter({ hasText: name });
  }

  async createUser(user: { name: string; role: Role; scope?: string; password: string }): Promise<void> {
    await this.page.getByRole('button', { name: 'New user' }).click();
    const form = this.page.getByRole('form', { name: 'New user' });
    await form.getByLabel('User name', { exact: true }).fill(user.name);
    await form.getByRole('combobox', { name: /^Role/ }).selectOption(user.role);
    if (user.scope) await form.getByLabel('Scope', { exact: true }).fill(user.scope);
    await form.getByLabel('First password', { exact: true }).fill(user.password);
    await form.getByRole('button', { name: 'Create user' }).click();
    await this.page
      .getByRole('status')
      .filter({ hasText: `Created ${user.name}` })
      .waitFor();
  }
}
