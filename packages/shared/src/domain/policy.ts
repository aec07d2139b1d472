import type {
  AppliedPolicyVersion,
  EscalationPolicy,
  PolicyBundle,
  PolicyDocument,
  PolicyRetention,
  PolicySilence,
  Webhook,
} from '../contract/policy.schemas.ts';
import type { Rule } from '../contract/rules.schemas.ts';
import type { CommandDeclaration, CommandDeclarations } from '../contract/commands.schemas.ts';

/**
 * What a node runs once every author's document is resolved for it (docs/decisions/0021): the
 * nearer author wins, and within one author's version the more specific target wins.
 */
export interface EffectivePolicy {
  /** By rule id. */
  rules: Rule[];
  silences: PolicySilence[];
  routes: Webhook[];
  escalations: EscalationPolicy[];
  retention: PolicyRetention;
  unknownDevices: 'register' | 'reject' | undefined;
  declaredMetrics: string[];
  /** By device kind, then command name. */
  commands: CommandDeclarations;
  /** The version each author's document gave this node; an author that gives it nothing is left out. */
  sources: AppliedPolicyVersion[];
}

/** True when `target` (in the author's paths) reaches the node at `selfPath` ('' is the root). */
export function targetReaches(target: string, selfPath: string): boolean {
  if (target === '**') return true;
  if (target.endsWith('/**')) {
    const root = target.slice(0, -3);
    return selfPath === root || selfPath.startsWith(`${root}/`);
  }
  return selfPath === target;
}

/** Orders targets from broad to narrow: `**`, then subtrees by depth, then single nodes. */
export function targetSpecificity(target: string): number {
  if (target === '**') return 0;
  const depth = target.split('/').length;
  return target.endsWith('/**') ? depth : 1000 + depth;
}

/** The version of `document` this node takes: the current one once released or for a canary. */
export function versionFor(document: PolicyDocument): PolicyDocument['current'] | null {
  const takesCurrent = document.phase === 'released' || document.canaries.includes(document.selfPath);
  return takesCurrent ? document.current : document.previous;
}

/** The document as the child `childId` of the receiving node sees it. */
export function documentForChild(document: PolicyDocument, childId: string): PolicyDocument {
  return {
    ...document,
    selfPath: document.selfPath === '' ? childId : `${document.selfPath}/${childId}`,
  };
}

/** The bundles of `bundles` that reach `selfPath`, broad first, so later ones override. */
export function bundlesFor(bundles: readonly PolicyBundle[], selfPath: string): PolicyBundle[] {
  return bundles
    .map((bundle, index) => ({ bundle, index }))
    .filter(({ bundle }) => targetReaches(bundle.target, selfPath))
    .sort(
      (a, b) => targetSpecificity(a.bundle.target) - targetSpecificity(b.bundle.target) || a.index - b.index,
    )
    .map(({ bundle }) => bundle);
}

/**
 * Merges `documents` (root-most author first) for the node each names with `selfPath`: rules,
 * silences, routes and escalation policies by id, retention field by field and the unknown-device rule by the last
 * bundle that sets them, declared metrics together.
 */
export function resolvePolicy(documents: readonly PolicyDocument[]): EffectivePolicy {
  const rules = new Map<string, Rule>();
  const silences = new Map<string, PolicySilence>();
  const routes = new Map<string, Webhook>();
  const escalations = new Map<string, EscalationPolicy>();
  const declared = new Set<string>();
  const commands = new Map<string, Map<string, CommandDeclaration>>();
  let retention: PolicyRetention = {};
  let unknownDevices: EffectivePolicy['unknownDevices'];
  const sources: AppliedPolicyVersion[] = [];
  for (const document of documents) {
    const version = versionFor(document);
    if (version === null) continue;
    const bundles = bundlesFor(version.content.bundles, document.selfPath);
    if (bundles.length === 0) continue;
    sources.push({ author: document.author, version: version.version, hash: version.hash });
    for (const bundle of bundles) {
      for (const rule of bundle.rules) rules.set(rule.id, rule);
      for (const silence of bundle.silences) silences.set(silence.id, silence);
      for (const route of bundle.routes) routes.set(route.id, route);
      for (const escalation of bundle.escalations ?? []) escalations.set(escalation.id, escalation);
      for (const metric of bundle.declaredMetrics) declared.add(metric);
      for (const [kind, byName] of Object.entries(bundle.commands ?? {})) {
        const ofKind = commands.get(kind) ?? new Map<string, CommandDeclaration>();
        for (const [name, declaration] of Object.entries(byName)) ofKind.set(name, declaration);
        commands.set(kind, ofKind);
      }
      retention = { ...retention, ...definedOnly(bundle.retention) };
      unknownDevices = bundle.unknownDevices ?? unknownDevices;
    }
  }
  return {
    rules: [...rules.values()],
    silences: [...silences.values()],
    routes: [...routes.values()],
    escalations: [...escalations.values()],
    retention,
    unknownDevices,
    declaredMetrics: [...declared].sort(),
    commands: Object.fromEntries([...commands].map(([kind, byName]) => [kind, Object.fromEntries(byName)])),
    sources,
  };
}

function definedOnly(retention: PolicyRetention): PolicyRetention {
  return Object.fromEntries(Object.entries(retention).filter(([, value]) => value !== undefined));
}
