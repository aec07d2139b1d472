import { z } from 'zod';
import { NodePath } from './ids.ts';

/** How one node answered a query: `ok`, or why its data is missing. */
export const NodeAnswerState = z.enum(['ok', 'timeout', 'unreachable', 'error', 'forbidden']);
export type NodeAnswerState = z.infer<typeof NodeAnswerState>;

export const NodeAnswer = z.object({
  path: NodePath,
  state: NodeAnswerState,
  latencyMs: z.number().min(0),
  /** Set when the data shown for this node is a cached copy: how old it is. */
  ageMs: z.number().min(0).optional(),
  message: z.string().max(500).optional(),
});
export type NodeAnswer = z.infer<typeof NodeAnswer>;

/**
 * Which nodes a query reached. When `answered < asked` the answer is partial: lists miss the
 * silent nodes' items and every count or sum in it is a lower bound.
 */
export const Coverage = z.object({
  asked: z.number().int().min(0),
  answered: z.number().int().min(0),
  nodes: z.array(NodeAnswer),
});
export type Coverage = z.infer<typeof Coverage>;

export function isComplete(coverage: Coverage): boolean {
  return coverage.answered >= coverage.asked;
}

/** The coverage of an answer a leaf node gave from its own store. */
export function selfCoverage(path: string, latencyMs: number): Coverage {
  return { asked: 1, answered: 1, nodes: [{ path, state: 'ok', latencyMs }] };
}
