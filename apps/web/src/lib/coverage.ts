import type { Coverage, NodeAnswer, NodeAnswerState } from '@tierscope/shared/domain';
import { formatAge, nodeName } from './format.ts';

/** How many missing nodes the one-line label names before it says "and N more". */
const NAMED_IN_LABEL = 2;

const STATE_WORDS: Record<Exclude<NodeAnswerState, 'ok'>, string> = {
  timeout: 'timed out',
  unreachable: 'unreachable',
  error: 'failed',
  forbidden: 'refused access',
};

/** Worse states win when one node answered differently across pages. */
const STATE_RANK: Record<NodeAnswerState, number> = {
  ok: 0,
  forbidden: 1,
  error: 2,
  timeout: 3,
  unreachable: 4,
};

export interface CoverageSummary {
  /** Every node asked answered with fresh data. */
  complete: boolean;
  /** Some node did not answer: lists miss its items and counts are lower bounds. */
  partial: boolean;
  /** "38 of 40 nodes; probe-7 timed out" */
  label: string;
  /** One line per node that is missing or answered from a cached copy, full path first. */
  problems: string[];
}

/** What one node's answer means for the data shown: "probe-7 timed out", "probe-c: data 12 seconds old". */
export function describeNodeAnswer(answer: NodeAnswer, name = nodeName(answer.path)): string {
  if (answer.state !== 'ok') return `${name} ${STATE_WORDS[answer.state]}`;
  if (answer.ageMs !== undefined) return `${name}: data ${formatAge(answer.ageMs)} old`;
  return `${name} answered`;
}

/**
 * The wording of a coverage badge: how many of the asked nodes answered, and which did not and why.
 * A fan-out whose every node answered reads "5 of 5 nodes".
 */
export function summarizeCoverage(coverage: Coverage): CoverageSummary {
  const missing = coverage.nodes.filter((n) => n.state !== 'ok');
  const cached = coverage.nodes.filter((n) => n.state === 'ok' && n.ageMs !== undefined);
  const partial = coverage.answered < coverage.asked || missing.length > 0;
  const counted = `${coverage.answered} of ${coverage.asked} ${coverage.asked === 1 ? 'node' : 'nodes'}`;
  const named = [...missing, ...cached].slice(0, NAMED_IN_LABEL).map((n) => describeNodeAnswer(n));
  const more = missing.length + cached.length - named.length;
  const reasons = more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ');
  return {
    complete: !partial && cached.length === 0,
    partial,
    label: reasons ? `${counted}; ${reasons}` : counted,
    problems: [...missing, ...cached].map((n) => describeNodeAnswer(n, n.path)),
  };
}

/**
 * The coverage of a list built from several pages: a node counts as answered only if it answered
 * every page, and shows the worst state it had.
 */
export function combineCoverage(coverages: readonly Coverage[]): Coverage | undefined {
  if (coverages.length === 0) return undefined;
  const byPath = new Map<string, NodeAnswer>();
  for (const coverage of coverages)
    for (const answer of coverage.nodes) {
      const seen = byPath.get(answer.path);
      byPath.set(answer.path, seen ? worseAnswer(seen, answer) : answer);
    }
  const nodes = [...byPath.values()];
  const asked = Math.max(...coverages.map((c) => c.asked), nodes.length);
  return { asked, answered: nodes.filter((n) => n.state === 'ok').length, nodes };
}

/** The answer that says less about the data: the worse state, then the older cached copy. */
function worseAnswer(a: NodeAnswer, b: NodeAnswer): NodeAnswer {
  if (STATE_RANK[a.state] !== STATE_RANK[b.state]) return STATE_RANK[a.state] > STATE_RANK[b.state] ? a : b;
  return (b.ageMs ?? -1) > (a.ageMs ?? -1) ? b : a;
}
