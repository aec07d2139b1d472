import { z } from 'zod';

/** A node's own id: one path segment, lower-case so paths compare the same everywhere. */
export const NodeId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'node id: 1–63 of a-z, 0-9, "-", not starting with "-"');
export type NodeId = z.infer<typeof NodeId>;

/** Where an item lives in the tier tree, outermost first: `district-1/probe-a`. */
export const NodePath = z
  .string()
  .max(512)
  .regex(/^[a-z0-9][a-z0-9-]{0,62}(\/[a-z0-9][a-z0-9-]{0,62})*$/, 'node path: node ids joined by "/"');
export type NodePath = z.infer<typeof NodePath>;

/** Device ids as the MQTT device API allows them (DESIGN.md). */
export const DeviceId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'device id: 1–128 of A-Z, a-z, 0-9, ".", "_", ":", "-"');
export type DeviceId = z.infer<typeof DeviceId>;

export const MetricName = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'metric name: 1–64 of A-Z, a-z, 0-9, "_", ".", ":", "-"');
export type MetricName = z.infer<typeof MetricName>;

export const LabelKey = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'label key: 1–64 of A-Z, a-z, 0-9, "_", ".", "-"');
export const Labels = z
  .record(LabelKey, z.string().max(256))
  .refine((labels) => Object.keys(labels).length <= 32, 'at most 32 labels');
export type Labels = z.infer<typeof Labels>;

/** True when `path` is `root` or lies beneath it (`a/x` is in `a`; `a-b` is not). */
export function isInSubtree(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

export function joinPath(parent: NodePath, child: NodePath): NodePath {
  return `${parent}/${child}`;
}
