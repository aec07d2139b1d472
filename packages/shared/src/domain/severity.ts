import { z } from 'zod';

export const Severity = z.enum(['info', 'warning', 'critical']);
export type Severity = z.infer<typeof Severity>;

/** Higher is more severe; used to sort and to filter by a minimum severity. */
export const severityRank: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };
