import { afterEach, describe, expect, it } from 'vitest';
import { composeTitle, setPageTitle, setTitleBadge } from './document-title.ts';

describe('the tab title', () => {
  afterEach(() => {
    setTitleBadge(0);
    setPageTitle(undefined);
  });

  it('names the page, or only the app', () => {
    expect(composeTitle('Devices', 0)).toBe('Devices · Tierscope');
    expect(composeTitle(undefined, 0)).toBe('Tierscope');
  });

  it('puts the count in front, capped so the page name stays readable', () => {
    expect(composeTitle('Alerts', 3)).toBe('(3) Alerts · Tierscope');
    expect(composeTitle(undefined, 250)).toBe('(99+) Tierscope');
  });

  it('keeps the badge when the page changes, and the page when the badge changes', () => {
    setTitleBadge(2);
    setPageTitle('Events');
    expect(document.title).toBe('(2) Events · Tierscope');
    setTitleBadge(0);
    expect(document.title).toBe('Events · Tierscope');
  });
});
