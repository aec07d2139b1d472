import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Actor, PolicyContent, Rule } from '@tierscope/shared';
import { createFederationRuntime, type FederationRuntime } from '../federation-runtime.ts';
import { silentLogger } from '../links/uplink-protocol.ts';
import { createInProcessChildLink, type InProcessChildLink } from '../testing/in-process-link.ts';
import { memoryPolicyVersionStore } from '../testing/memory-policy-store.ts';
import { createPolicyLeaf, type PolicyLeaf } from '../testing/policy-leaf.ts';

const admin: Actor = { kind: 'user', name: 'ada', role: 'admin' };

function rule(id: string, value: number): Rule {
  return {
    id,
    name: id,
    severity: 'warning',
    enabled: true,
    scope: { devicePattern: '*', labels: {} },
    condition: { kind: 'threshold', metric: 'temp', operator: '>', value, hysteresis: 0, forMs: 0 },
  };
}

function content(ruleId: string, value: number, target = '**'): PolicyContent {
  return {
    bundles: [
      {
        name: 'fleet',
        target,
        rules: [rule(ruleId, value)],
        silences: [],
        routes: [],
        retention: {},
        declaredMetrics: ['temp'],
      },
    ],
  };
}

/** The BFF over three in-memory leaves, with fast heartbeats. */
function rootOverLeaves(ids: readonly string[]) {
  const leaves = new Map<string, PolicyLeaf>(ids.map((id) => [id, createPolicyLeaf(id)]));
  const links = new Map<string, InProcessChildLink>(
    ids.map((id) => [id, createInProcessChildLink(id, leaves.get(id)!.service)]),
  );
  const runtime = createFederationRuntime({
    id: 'bff',
    isRoot: true,
    children: [...links.values()],
    heartbeat: { intervalMs: 50, infoEveryMs: 50, downAfterMs: 300 },
    policy: { store: memoryPolicyVersionStore(), logger: silentLogger },
  });
  runtimes.push(runtime);
  return { runtime, leaves, links };
}

const runtimes: FederationRuntime[] = [];
afterEach(() => {
  for (const runtime of runtimes.splice(0)) runtime.stop();
});

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

const appliedVersion = (leaf: PolicyLeaf) => leaf.state().applied.find((a) => a.author === 'bff')?.version;

describe('TierPolicy', () => {
  it('hands every child the published version, each with its own path', async () => {
    const { runtime, leaves } = rootOverLeaves(['probe-a', 'probe-b']);
    runtime.start();
    const published = await runtime
      .service()
      .policy.publish(
        { content: content('hot', 50), comment: 'first', canaries: [], canaryHoldMs: 0 },
        admin,
      );

    expect(published).toMatchObject({ version: 1, phase: 'released', publishedBy: 'ada', author: 'bff' });
    await until(() => [...leaves.values()].every((leaf) => appliedVersion(leaf) === 1), 'both applied v1');
    expect(
      leaves
        .get('probe-a')!
        .effective()!
        .rules.map((r) => r.id),
    ).toEqual(['hot']);
    const status = await runtime.service().policy.status({});
    await until(
      async () => (await runtime.service().policy.status({})).nodes.every((n) => n.state === 'applied'),
      'the status shows both applied',
    );
    expect(status.current?.version).toBe(1);
  });

  it('reaches only the nodes a bundle targets', async () => {
    const { runtime, leaves } = rootOverLeaves(['probe-a', 'probe-b']);
    runtime.start();
    await runtime
      .service()
      .policy.publish(
        { content: content('hot', 50, 'probe-b'), comment: '', canaries: [], canaryHoldMs: 0 },
        admin,
      );

    await until(() => appliedVersion(leaves.get('probe-b')!) === 1, 'probe-b applied v1');
    expect(leaves.get('probe-a')!.effective()?.rules ?? []).toEqual([]);
    await until(
      async () => (await runtime.service().policy.status({})).nodes.every((n) => n.state === 'applied'),
      'both count as applied (probe-a is meant nothing)',
    );
  });

  it('keeps a version with its canary until the hold passed, then releases it to the rest', async () => {
    const { runtime, leaves } = rootOverLeaves(['probe-a', 'probe-b', 'probe-c']);
    runtime.start();
    const service = runtime.service();
    await service.policy.publish(
      { content: content('hot', 50), comment: '', canaries: [], canaryHoldMs: 0 },
      admin,
    );
    await until(() => [...leaves.values()].every((leaf) => appliedVersion(leaf) === 1), 'all on v1');

    await service.policy.publish(
      { content: content('hot', 60), comment: 'raise', canaries: ['probe-a'], canaryHoldMs: 600 },
      admin,
    );
    await until(() => appliedVersion(leaves.get('probe-a')!) === 2, 'the canary applied v2');
    expect(appliedVersion(leaves.get('probe-b')!)).toBe(1);
    expect((await service.policy.versions({})).versions[0]).toMatchObject({ version: 2, phase: 'canary' });

    await until(
      () => [...leaves.values()].every((leaf) => appliedVersion(leaf) === 2),
      'all on v2 after the hold',
    );
    expect((await service.policy.versions({})).versions[0]).toMatchObject({ version: 2, phase: 'released' });
  });

  it('halts a version its canary rejects, says why, and a rollback returns everyone', async () => {
    const { runtime, leaves } = rootOverLeaves(['probe-a', 'probe-b']);
    runtime.start();
    const service = runtime.service();
    await service.policy.publish(
      { content: content('hot', 50), comment: '', canaries: [], canaryHoldMs: 0 },
      admin,
    );
    await until(() => [...leaves.values()].every((leaf) => appliedVersion(leaf) === 1), 'all on v1');
    leaves.get('probe-a')!.refuse = (effective) =>
      effective.rules.some((r) => r.id === 'bad')
        ? 'rule "bad": metric "tmp" is neither stored here nor declared'
        : null;

    await service.policy.publish(
      { content: content('bad', 1), comment: 'typo', canaries: ['probe-a'], canaryHoldMs: 0 },
      admin,
    );
    await until(
      async () => (await service.policy.versions({})).versions[0]?.phase === 'halted',
      'the rollout halted',
    );
    const [halted] = (await service.policy.versions({})).versions;
    expect(halted?.haltReason).toContain('canary probe-a rejected v2');
    expect(halted?.haltReason).toContain('metric "tmp"');
    const statusA = (await service.policy.status({})).nodes.find((n) => n.path === 'probe-a');
    expect(statusA).toMatchObject({ state: 'rejected', canary: true, appliedVersion: 1 });
    await sleep(300);
    expect(appliedVersion(leaves.get('probe-b')!)).toBe(1);
    expect(
      leaves
        .get('probe-b')!
        .effective()!
        .rules.map((r) => r.id),
    ).toEqual(['hot']);

    const rolledBack = await service.policy.rollback({ version: 1, comment: '' }, admin);
    expect(rolledBack).toMatchObject({
      version: 3,
      rollbackOf: 1,
      phase: 'released',
      comment: 'rollback to v1',
    });
    await until(() => [...leaves.values()].every((leaf) => appliedVersion(leaf) === 3), 'all on v3');
    expect(
      leaves
        .get('probe-a')!
        .effective()!
        .rules.map((r) => r.id),
    ).toEqual(['hot']);
  });

  it('brings a child that was cut off, or lost its copy, back to the version by itself', async () => {
    const { runtime, leaves, links } = rootOverLeaves(['probe-a', 'probe-b']);
    runtime.start();
    const service = runtime.service();
    links.get('probe-b')!.cut();
    await service.policy.publish(
      { content: content('hot', 50), comment: '', canaries: [], canaryHoldMs: 0 },
      admin,
    );
    await until(() => appliedVersion(leaves.get('probe-a')!) === 1, 'probe-a applied');
    await until(
      async () =>
        (await service.policy.status({})).nodes.find((n) => n.path === 'probe-b')?.state === 'unreachable',
      'probe-b shows unreachable',
    );

    links.get('probe-b')!.restore();
    await until(() => appliedVersion(leaves.get('probe-b')!) === 1, 'probe-b applied on its return');

    const callsBefore = leaves.get('probe-a')!.applyCalls();
    leaves.get('probe-a')!.forget();
    await until(() => appliedVersion(leaves.get('probe-a')!) === 1, 'probe-a took it again');
    expect(leaves.get('probe-a')!.applyCalls()).toBe(callsBefore + 1);
  });

  it('refuses canaries that are not nodes of the subtree', async () => {
    const { runtime } = rootOverLeaves(['probe-a']);
    runtime.start();
    await until(async () => (await runtime.service().node.info()).children?.[0]?.info !== null, 'a beat');
    await expect(
      runtime
        .service()
        .policy.publish(
          { content: content('hot', 1), comment: '', canaries: ['probe-z'], canaryHoldMs: 0 },
          admin,
        ),
    ).rejects.toThrow(/unknown: probe-z/);
  });

  it('lets a user scoped to part of the fleet read only their nodes and author nothing at the root', async () => {
    const { runtime } = rootOverLeaves(['probe-a', 'probe-b']);
    runtime.start();
    const scoped: Actor = { kind: 'user', name: 'sam', role: 'admin', scope: ['probe-a'] };
    await runtime
      .service()
      .policy.publish({ content: content('hot', 50), comment: '', canaries: [], canaryHoldMs: 0 }, admin);
    await until(async () => (await runtime.service().policy.status({})).nodes.length === 2, 'both known');

    const status = await runtime.service(undefined, scoped).policy.status({});
    expect(status.nodes.map((n) => n.path)).toEqual(['probe-a']);
    await expect(
      runtime
        .service(undefined, scoped)
        .policy.publish({ content: content('hot', 1), comment: '', canaries: [], canaryHoldMs: 0 }, scoped),
    ).rejects.toThrow(/beyond your scope/);
  });
});
