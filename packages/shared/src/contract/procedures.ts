import type { AnyProcedure } from '@trpc/server';
import type { Actor } from '../domain/roles.ts';
import { nodeRouter } from './app.router.ts';
import type { NodeService } from './node.service.ts';
import type { ProcedureMeta } from './trpc.ts';

/** A procedure of the node contract as the code derived from it sees it. */
export interface NodeProcedure {
  /** `devices.list` */
  path: string;
  group: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  /** A list page (`meta.page`): merged by a list rule, empty where the caller may not look. */
  page: boolean;
  /** A mutation whose change is reported to `onAuditedChange` (`meta.audit`). */
  audited: boolean;
  /** The router's own output schema, when the procedure declares one: what a parent re-validates. */
  parseOutput: ((value: unknown) => unknown) | undefined;
  /** Its own fan-out deadline (`meta.deadlineMs`), in place of the tier's. */
  deadlineMs: number | undefined;
}

/** How a call made through a derived forwarder reaches the service method it names. */
export interface ForwardedCall {
  input: unknown;
  /** A mutation's acting user; undefined for queries. */
  actor: Actor | undefined;
  /** A subscription's end; undefined for queries and mutations. */
  signal: AbortSignal | undefined;
}

type ServiceMethod = (...args: never[]) => unknown;

/**
 * Every procedure of `nodeRouter` that reaches the service (`node.ping` answers from the process
 * and is left out), read once from the router itself: adding a procedure adds it here.
 */
export const nodeProcedures: readonly NodeProcedure[] = Object.entries(
  nodeRouter._def.procedures as unknown as Record<string, AnyProcedure>,
)
  .filter(([path]) => path !== 'node.ping')
  .map(([path, procedure]) => {
    const [group = '', name = ''] = path.split('.');
    const def = procedure._def as AnyProcedure['_def'] & {
      meta?: ProcedureMeta;
      output?: { parse?: unknown };
    };
    const output = def.output as { parse(value: unknown): unknown } | undefined;
    return {
      path,
      group,
      name,
      type: def.type,
      page: def.meta?.page === true,
      audited: def.meta?.audit !== undefined,
      parseOutput: output && ((value: unknown) => output.parse(value)),
      deadlineMs: def.meta?.deadlineMs,
    };
  });

const byPath = new Map(nodeProcedures.map((p) => [p.path, p]));

/** The procedure at `path` (`devices.list`), or undefined when the contract has none. */
export function findProcedure(path: string): NodeProcedure | undefined {
  return byPath.get(path);
}

/**
 * A `NodeService` whose every method is made by `methodFor` (a procedure it returns no method for
 * is left out, as optional methods may be). The one place a service is assembled from the table.
 */
export function serviceOfProcedures(
  methodFor: (procedure: NodeProcedure) => ServiceMethod | undefined,
): NodeService {
  const service: Record<string, Record<string, ServiceMethod>> = {};
  for (const procedure of nodeProcedures) {
    const method = methodFor(procedure);
    if (method === undefined) continue;
    (service[procedure.group] ??= {})[procedure.name] = method;
  }
  return service as unknown as NodeService;
}

/** `service`'s method for `procedure`, if it has one (a federating node's optional ones may be absent). */
export function methodOf(service: NodeService, procedure: NodeProcedure): ServiceMethod | undefined {
  const group = (service as unknown as Record<string, Record<string, unknown> | undefined>)[procedure.group];
  const method = group?.[procedure.name];
  return typeof method === 'function' ? (method.bind(group) as ServiceMethod) : undefined;
}

/** Calls `service`'s method for `procedure` the way the router does (NodeService's calling convention). */
export function callService(service: NodeService, procedure: NodeProcedure, call: ForwardedCall): unknown {
  const method = methodOf(service, procedure) as ((input: unknown, extra?: unknown) => unknown) | undefined;
  if (method === undefined) throw new Error(`this node has no ${procedure.path}`);
  if (procedure.type === 'mutation') return method(call.input, call.actor);
  if (procedure.type === 'subscription') return method(call.input, call.signal);
  return method(call.input);
}

/**
 * `base` with every method `overrides` gives replaced (group by group), so a derived service can
 * take its special cases by name and forward the rest.
 */
export function withOverrides(base: NodeService, overrides: ServiceOverrides): NodeService {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const [group, methods] of Object.entries(base as unknown as Record<string, Record<string, unknown>>))
    merged[group] = { ...methods };
  for (const [group, methods] of Object.entries(overrides as Record<string, Record<string, unknown>>))
    merged[group] = { ...merged[group], ...methods };
  return merged as unknown as NodeService;
}

/** Some methods of a `NodeService`, by group: what a test fake or a derived service's special cases give. */
export type ServiceOverrides = { [G in keyof NodeService]?: Partial<NodeService[G]> };

/**
 * `service`, with each procedure that declares a deadline of its own (`meta.deadlineMs`) answered by
 * the service `within(thatDeadline)` makes instead, made only when such a procedure is called.
 */
export function withProcedureDeadlines(
  service: NodeService,
  within: (deadlineMs: number) => NodeService,
): NodeService {
  return serviceOfProcedures((procedure) => {
    const method = methodOf(service, procedure);
    const { deadlineMs } = procedure;
    if (method === undefined || deadlineMs === undefined) return method;
    return (...args: never[]) => methodOf(within(deadlineMs), procedure)!(...args);
  });
}
