import { z } from 'zod';

export const Severity = z.enum(['info', 'warning', 'critical']);
export type Severity = z.infer<typeof Severity>;

export { severityRank } from './order.ts';
