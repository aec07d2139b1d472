import { z } from 'zod';

/** viewer reads; operator also acks, silences and commands; admin also manages rules, users, nodes. */
export const Role = z.enum(['viewer', 'operator', 'admin']);
export type Role = z.infer<typeof Role>;

export const roleRank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function roleAllows(actual: Role, required: Role): boolean {
  return roleRank[actual] >= roleRank[required];
}

/** Who is calling: a console user, a parent node acting for one, or the node itself. */
export const Actor = z.object({
  kind: z.enum(['user', 'node', 'system']),
  name: z.string().min(1).max(128),
  role: Role,
});
export type Actor = z.infer<typeof Actor>;
