import { expect, test } from '../fixtures.ts';

test.describe('installable app', () => {
  test.use({ serviceWorkers: 'allow' });

  test('has a manifest with icons', async ({ page, request }) => {
    await page.goto('/');
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(href).toBeTruthy();
    const manifest = (await (await request.get(href!)).json()) as { name: string; icons: { src: string }[] };
    expect(manifest.name).toBe('Tierscope console');
    for (const icon of manifest.icons) expect((await request.get(icon.src)).ok()).toBe(true);
  });

  test('answers HEAD for any console route as it answers GET, and 404 for an unknown API path', async ({
    request,
  }) => {
    for (const path of ['/', '/login', '/alerts', '/devices/x?node=probe-a']) {
      const head = await request.head(path);
      expect(head.status(), path).toBe(200);
      expect(head.headers()['content-type'], path).toContain('text/html');
      expect(await head.body(), path).toHaveLength(0);
    }
    expect((await request.head('/auth/no-such-thing')).status()).toBe(404);
  });

  test('opens its shell offline and says the server cannot be reached', async ({ page, context }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
      timeout: 30_000,
    });

    await context.setOffline(true);
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Node tree' }).getByRole('alert')).toContainText(
      'The console cannot reach the server',
    );
    await context.setOffline(false);
  });
});
