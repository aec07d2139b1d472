import type { NodeService } from '@tierscope/shared';
import type { AuditLog, AuditOrigin } from './audit.ts';

/** What one change names in the audit log: the action, and the thing it changed (`path` or `path/id`). */
interface Change {
  action: string;
  target: string;
  details?: Record<string, unknown>;
}

const at = (nodePath: string | undefined, id: string) => (nodePath ? `${nodePath}/${id}` : id);

/**
 * The node service a console caller's call runs on, with every change it makes through the BFF
 * (acks, silences, rules, devices, node tokens) appended to the BFF's audit log once it succeeded.
 * The owning node audits the same change again, with the acting user the BFF passed down.
 * Secrets in answers (device passwords, node tokens) never reach the log: only the inputs do.
 */
export function auditedNodeService(service: NodeService, audit: AuditLog, origin: AuditOrigin): NodeService {
  const audited = async <T>(change: Change, run: () => Promise<T>): Promise<T> => {
    const result = await run();
    await audit.append(origin, change);
    return result;
  };
  const { node, devices, alerts, silences, rules } = service;
  // Every method is forwarded by name: a service may be a class, whose methods a spread would lose.
  return {
    metrics: service.metrics,
    events: service.events,
    deadLetters: service.deadLetters,
    node: {
      info: () => node.info(),
      ...(node.watch && { watch: (input, signal) => node.watch!(input, signal) }),
      ...(node.rotateChildToken && {
        rotateChildToken: (input) =>
          audited({ action: 'node.token.rotate', target: input.nodePath }, () =>
            node.rotateChildToken!(input),
          ),
      }),
      ...(node.revokeChildToken && {
        revokeChildToken: (input) =>
          audited({ action: 'node.token.revoke', target: input.nodePath }, () =>
            node.revokeChildToken!(input),
          ),
      }),
    },
    devices: {
      list: (input) => devices.list(input),
      get: (ref) => devices.get(ref),
      upsert: (input) =>
        audited(
          { action: 'device.upsert', target: at(input.nodePath, input.deviceId), details: { ...input } },
          () => devices.upsert(input),
        ),
      rotateCredentials: (input, actor) =>
        audited({ action: 'device.credentials.rotate', target: at(input.nodePath, input.deviceId) }, () =>
          devices.rotateCredentials(input, actor),
        ),
      quarantine: (input, actor) =>
        audited(
          {
            action: 'device.quarantine',
            target: at(input.nodePath, input.deviceId),
            details: { reason: input.reason, ...(input.until !== undefined && { until: input.until }) },
          },
          () => devices.quarantine(input, actor),
        ),
      release: (input, actor) =>
        audited({ action: 'device.release', target: at(input.nodePath, input.deviceId) }, () =>
          devices.release(input, actor),
        ),
    },
    alerts: {
      list: (input) => alerts.list(input),
      watch: (input, signal) => alerts.watch(input, signal),
      ack: (input, actor) =>
        audited(
          { action: 'alert.ack', target: at(input.nodePath, input.id), details: { note: input.note } },
          () => alerts.ack(input, actor),
        ),
      unack: (input, actor) =>
        audited({ action: 'alert.unack', target: at(input.nodePath, input.id) }, () =>
          alerts.unack(input, actor),
        ),
    },
    silences: {
      list: (input) => silences.list(input),
      create: async (input, actor) => {
        const silence = await silences.create(input, actor);
        await audit.append(origin, {
          action: 'silence.create',
          target: at(input.nodePath, silence.id),
          details: {
            kind: input.kind,
            matchers: input.matchers,
            endsAt: input.endsAt,
            comment: input.comment,
          },
        });
        return silence;
      },
      expire: (ref, actor) =>
        audited({ action: 'silence.expire', target: at(ref.nodePath, ref.id) }, () =>
          silences.expire(ref, actor),
        ),
    },
    rules: {
      list: (input) => rules.list(input),
      upsert: (input, actor) =>
        audited(
          { action: 'rule.upsert', target: at(input.nodePath, input.rule.id), details: { rule: input.rule } },
          () => rules.upsert(input, actor),
        ),
      delete: (ref, actor) =>
        audited({ action: 'rule.delete', target: at(ref.nodePath, ref.id) }, () => rules.delete(ref, actor)),
    },
  };
}
