// Lighthouse 12 (pinned 12.2.3: 13 needs Node 22) with Debian's Chromium, mobile preset (simulated
// slow 4G, 4x CPU slowdown): a page's performance score as a phone over a mobile network sees it.
import { launch } from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { CHROMIUM } from '../../e2e/chromium.ts';
import { progress, round } from './bench.ts';

export interface LighthouseRun {
  /** Lighthouse's performance score, 0–1. */
  performance: number;
  firstContentfulPaintMs: number;
  largestContentfulPaintMs: number;
  totalBlockingTimeMs: number;
  transferredKb: number;
}

/**
 * Runs Lighthouse's performance audits `runs` times on `url`, each in a fresh Chromium (an empty
 * cache: a first visit), signed in through `cookie` (`name=value`).
 */
export async function lighthouseRuns(url: string, cookie: string, runs: number): Promise<LighthouseRun[]> {
  const results: LighthouseRun[] = [];
  for (let run = 0; run < runs; run++) {
    const chrome = await launch({ chromePath: CHROMIUM.executablePath, chromeFlags: CHROMIUM.args });
    try {
      const result = await lighthouse(url, {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: ['performance'],
        extraHeaders: { Cookie: cookie },
      });
      if (!result) throw new Error(`Lighthouse returned no result for ${url}`);
      const { lhr } = result;
      if (lhr.runtimeError) throw new Error(`Lighthouse on ${url}: ${lhr.runtimeError.message}`);
      const numeric = (id: string) => lhr.audits[id]?.numericValue ?? NaN;
      const measured: LighthouseRun = {
        performance: lhr.categories.performance?.score ?? 0,
        firstContentfulPaintMs: Math.round(numeric('first-contentful-paint')),
        largestContentfulPaintMs: Math.round(numeric('largest-contentful-paint')),
        totalBlockingTimeMs: Math.round(numeric('total-blocking-time')),
        transferredKb: round(numeric('total-byte-weight') / 1024, 1),
      };
      progress(
        `lighthouse ${new URL(url).pathname}: performance ${measured.performance}, FCP ${measured.firstContentfulPaintMs} ms, LCP ${measured.largestContentfulPaintMs} ms, TBT ${measured.totalBlockingTimeMs} ms, ${measured.transferredKb} KiB`,
      );
      results.push(measured);
    } finally {
      chrome.kill();
    }
  }
  return results;
}
