// The suite's figures: one line per scenario on stderr, one JSON line on stdout, and the exit code.

export interface ScenarioResult {
  id: number;
  name: string;
  /** Whether everything was consistent again within the deadline, with no manual step. */
  recovered: boolean;
  /** Seconds from the heal to everything consistent (to the deadline when it never was). */
  recoverS: number;
  failedRequests: number;
  /** The figures of the check after this scenario (cumulative since the topology started). */
  ackedMissing: number;
  duplicates: number;
  alertsMissing: number;
  /** Why a request failed or the check did not pass, for the progress line. */
  notes: string[];
}

export interface SuiteSummary {
  bench: 'faults';
  scenarios: number;
  acked_missing: number;
  duplicates: number;
  alerts_missing: number;
  failed_requests: number;
  max_recover_s: number;
  /** Scenarios that did not recover within their deadline, by number. */
  not_recovered: number[];
  quick: boolean;
}

/**
 * Totals over the run. The storage and alert figures are the last check's: each check counts
 * everything since the topology started, so an earlier loss stays counted, while something that was
 * only late at an earlier check (that scenario then did not recover) is not counted twice. Failed
 * requests add up over the scenarios.
 */
export function summarize(results: readonly ScenarioResult[], quick: boolean): SuiteSummary {
  const last = results.at(-1);
  return {
    bench: 'faults',
    scenarios: results.length,
    acked_missing: last?.ackedMissing ?? 0,
    duplicates: last?.duplicates ?? 0,
    alerts_missing: last?.alertsMissing ?? 0,
    failed_requests: results.reduce((sum, r) => sum + r.failedRequests, 0),
    max_recover_s: Math.round(Math.max(0, ...results.map((r) => r.recoverS)) * 10) / 10,
    not_recovered: results.filter((r) => !r.recovered).map((r) => r.id),
    quick,
  };
}

/** 0 only when every figure is zero and every scenario recovered by itself. */
export function exitCode(summary: SuiteSummary, expectedScenarios: number): number {
  const clean =
    summary.acked_missing === 0 &&
    summary.duplicates === 0 &&
    summary.alerts_missing === 0 &&
    summary.failed_requests === 0 &&
    summary.not_recovered.length === 0 &&
    summary.scenarios === expectedScenarios;
  return clean ? 0 : 1;
}

export function scenarioLine(result: ScenarioResult): string {
  const figures = `acked_missing=${result.ackedMissing} duplicates=${result.duplicates} alerts_missing=${result.alertsMissing} failed_requests=${result.failedRequests}`;
  const recovery = result.recovered
    ? `recovered in ${result.recoverS.toFixed(1)} s`
    : `NOT recovered after ${result.recoverS.toFixed(1)} s`;
  const notes = result.notes.length > 0 ? `\n    ${result.notes.join('\n    ')}` : '';
  return `scenario ${result.id} (${result.name}): ${recovery}; ${figures}${notes}`;
}
