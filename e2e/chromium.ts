/**
 * Debian's Chromium (no browser downloads here); without the background-networking flags it hangs.
 * The e2e suite and bench/web.bench.ts launch it the same way.
 */
export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};
