/**
 * How every Tierscope process launches Debian's Chromium headless (the BFF's report printer, the e2e
 * suite, bench/web.bench.ts): no sandbox (containers), and without the background-networking
 * flags it hangs.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
