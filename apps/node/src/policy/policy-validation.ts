import picomatch from 'picomatch';
import {
  bundlesFor,
  versionFor,
  type EffectivePolicy,
  type PolicyDocument,
  type Rule,
} from '@tierscope/shared';
import { refusalOfUrl, type WebhookAllowlist } from '@tierscope/notify';
import { declarationProblem } from '../commands/command-check.ts';

/** What a policy is checked against: this node's own facts and safety settings. */
export interface PolicyCheckContext {
  nodeId: string;
  /** Every metric the node has stored a sample of. */
  storedMetrics: ReadonlySet<string>;
  allowlist: WebhookAllowlist;
  /** The node's own WEBHOOKS ids: a policy route with one of them never runs here. */
  envWebhookIds: ReadonlySet<string>;
}

/**
 * Why `effective` cannot run on this node, one entry per problem, each naming the bundle and the
 * item an operator must fix; empty when it can. Checked: rule metrics are stored here or declared
 * by the policy, device patterns compile, route URLs pass this node's WEBHOOK_ALLOWLIST, the routes
 * escalation policies name are routes here, command params schemas compile. A route whose id is
 * also an env WEBHOOKS id is not a problem: the node's own webhook wins, silently.
 */
export function policyProblems(
  documents: readonly PolicyDocument[],
  effective: EffectivePolicy,
  context: PolicyCheckContext,
): string[] {
  const origins = itemOrigins(documents);
  const where = (kind: 'rule' | 'silence' | 'route', id: string) =>
    `${origins.get(`${kind}:${id}`) ?? 'policy'}, ${kind} "${id}"`;
  const declared = new Set(effective.declaredMetrics);
  const problems: string[] = [];
  for (const rule of effective.rules) {
    const metric = metricOf(rule);
    if (metric !== undefined && !context.storedMetrics.has(metric) && !declared.has(metric))
      problems.push(
        `${where('rule', rule.id)}: metric "${metric}" is neither stored on ${context.nodeId} nor declared by the policy`,
      );
    const patternProblem = globProblem(rule.scope.devicePattern);
    if (patternProblem) problems.push(`${where('rule', rule.id)}: device pattern ${patternProblem}`);
  }
  for (const silence of effective.silences) {
    const patternProblem = globProblem(silence.matchers.devicePattern);
    if (patternProblem) problems.push(`${where('silence', silence.id)}: device pattern ${patternProblem}`);
  }
  for (const route of effective.routes) {
    if (context.envWebhookIds.has(route.id)) continue;
    const refusal = refusalOfUrl(route.url, context.allowlist);
    if (refusal) problems.push(`${where('route', route.id)}: ${refusal} of ${context.nodeId}`);
    const patternProblem = globProblem(route.matchers?.devicePattern);
    if (patternProblem) problems.push(`${where('route', route.id)}: device pattern ${patternProblem}`);
  }
  const routeIds = new Set([...context.envWebhookIds, ...effective.routes.map(({ id }) => id)]);
  for (const escalation of effective.escalations) {
    const unknown = escalation.steps
      .flatMap((step) => step.notify)
      .flatMap((target) => ('route' in target && !routeIds.has(target.route) ? [target.route] : []));
    for (const route of unknown)
      problems.push(`escalation "${escalation.id}": route "${route}" is not a route of ${context.nodeId}`);
  }
  for (const [kind, byName] of Object.entries(effective.commands))
    for (const [name, declaration] of Object.entries(byName)) {
      const problem = declarationProblem(declaration);
      if (problem) problems.push(`command "${name}" of kind "${kind}": params schema ${problem}`);
    }
  return problems;
}

/** The metric a rule reads samples of, if it reads any. */
function metricOf(rule: Rule): string | undefined {
  const { condition } = rule;
  if (condition.kind === 'threshold' || condition.kind === 'rate-of-change' || condition.kind === 'no-data')
    return condition.metric;
  return undefined;
}

/**
 * Why a device glob does not compile, or undefined. Picomatch answers a pattern it cannot turn into
 * a regular expression with one that matches nothing (`$^`), so that counts as not compiling too.
 */
function globProblem(pattern: string | undefined): string | undefined {
  if (pattern === undefined) return undefined;
  try {
    const compiled = picomatch.makeRe(pattern, { dot: true, strictBrackets: true });
    return compiled.source === '$^' ? `"${pattern}" is not a valid glob` : undefined;
  } catch (error) {
    return `"${pattern}" does not compile: ${(error as Error).message}`;
  }
}

/**
 * For each rule, silence and route: the author, version and bundle it comes from, resolved in the
 * same order as resolvePolicy, so the last bundle to set an id is the one named.
 */
function itemOrigins(documents: readonly PolicyDocument[]): Map<string, string> {
  const origins = new Map<string, string>();
  for (const document of documents) {
    const version = versionFor(document);
    if (version === null) continue;
    for (const bundle of bundlesFor(version.content.bundles, document.selfPath)) {
      const origin = `bundle "${bundle.name}" (${document.author} v${version.version})`;
      for (const rule of bundle.rules) origins.set(`rule:${rule.id}`, origin);
      for (const silence of bundle.silences) origins.set(`silence:${silence.id}`, origin);
      for (const route of bundle.routes) origins.set(`route:${route.id}`, origin);
    }
  }
  return origins;
}
