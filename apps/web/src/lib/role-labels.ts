import type { Role } from '@tierscope/shared/domain';

export const ROLE_LABELS: Record<Role, string> = {
  viewer: 'Viewer',
  operator: 'Operator',
  admin: 'Admin',
};

/** What each role may do, as the Users page explains it when picking one. */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  viewer: 'reads dashboards, alerts and reports',
  operator: 'also acks and silences alerts and sends device commands',
  admin: 'also manages rules, users and node tokens',
};
