/**
 * The browser tab's title has two writers: the page (its name, from PageHeader) and the badge
 * (the count of firing critical alerts, from the shell). This is the one place that joins them:
 * "(3) Devices · Tierscope".
 */
export const APP_NAME = 'Tierscope';

let pageTitle: string | undefined;
let badge = 0;

/** The title for a page name and a badge count; no count, no parentheses. */
export function composeTitle(page: string | undefined, count: number): string {
  const base = page ? `${page} · ${APP_NAME}` : APP_NAME;
  return count > 0 ? `(${count > 99 ? '99+' : count}) ${base}` : base;
}

export function setPageTitle(page: string | undefined): void {
  pageTitle = page;
  document.title = composeTitle(pageTitle, badge);
}

export function setTitleBadge(count: number): void {
  badge = count;
  document.title = composeTitle(pageTitle, badge);
}
