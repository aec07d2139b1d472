// The report page printed to PDF by Chromium (docs/decisions/0031-report-pdf-and-schedules.md).
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS } from '@tierscope/shared/chromium';

export type PaperFormat = 'A4' | 'Letter';

/** How the printer keeps Chromium: one process kept warm between reports, or one per report. */
export type BrowserMode = 'warm' | 'per-report';

export interface PrintRequest {
  /** The page to print: the console's `/reports?…` on this BFF. */
  url: string;
  /** The session cookie the page is opened with (a session minted for the requesting user). */
  cookie: { name: string; value: string; secure: boolean };
  paper: PaperFormat;
  /** The zone the page computes its period in (a schedule's), IANA name. */
  timeZone: string;
  /** When the report is made: the page's clock (a schedule's firing time). */
  at: number;
}

/** What the page said it printed: the header and the archive carry these. */
export interface PrintedReport {
  pdf: Buffer;
  period: string;
  coverage: string;
  from: number;
  to: number;
}

export interface ReportPrinter {
  print(request: PrintRequest): Promise<PrintedReport>;
  close(): Promise<void>;
}

/** The page sets this once its figures are in (apps/web/src/app/routes/reports.tsx). */
const READY = '[data-report-ready]';
const PAGE_TIMEOUT_MS = 30_000;

/** Thrown when the BFF has no Chromium to print with: the export answers 503 with its message. */
export class NoChromiumError extends Error {
  constructor() {
    super('no Chromium configured: set CHROMIUM_PATH (e.g. /usr/bin/chromium) to make PDF reports');
  }
}

export function createReportPrinter(chromiumPath: string | undefined, mode: BrowserMode): ReportPrinter {
  let warm: Promise<Browser> | undefined;
  const launch = () => {
    if (!chromiumPath) throw new NoChromiumError();
    return chromium.launch({ executablePath: chromiumPath, args: [...CHROMIUM_ARGS], headless: true });
  };
  const browserFor = async (): Promise<{ browser: Browser; release: () => Promise<void> }> => {
    if (mode === 'per-report') {
      const browser = await launch();
      return { browser, release: () => browser.close() };
    }
    warm ??= launch();
    let browser = await warm.catch(() => undefined);
    if (!browser?.isConnected()) {
      // A crashed or failed launch is not kept: the next report starts a new one.
      warm = launch();
      browser = await warm;
    }
    return { browser, release: async () => undefined };
  };

  return {
    async print(request) {
      const { browser, release } = await browserFor();
      try {
        return await printPage(browser, request);
      } finally {
        await release();
      }
    },
    async close() {
      const browser = await warm?.catch(() => undefined);
      warm = undefined;
      await browser?.close();
    },
  };
}

async function printPage(browser: Browser, request: PrintRequest): Promise<PrintedReport> {
  const url = new URL(request.url);
  const context = await browser.newContext({
    timezoneId: request.timeZone,
    colorScheme: 'light',
    locale: 'en-GB',
    // The BFF opens its own address; its certificate names the public host, not 127.0.0.1.
    ignoreHTTPSErrors: true,
  });
  try {
    await context.addCookies([
      {
        name: request.cookie.name,
        value: request.cookie.value,
        domain: url.hostname,
        path: '/',
        httpOnly: true,
        secure: request.cookie.secure,
        sameSite: 'Lax',
      },
    ]);
    const page = await context.newPage();
    page.setDefaultTimeout(PAGE_TIMEOUT_MS);
    await page.clock.setFixedTime(request.at);
    await page.emulateMedia({ media: 'print' });
    await page.goto(url.toString());
    const ready = page.locator(READY);
    await ready.waitFor();
    // The trend chart loads lazily: wait until its skeleton is gone.
    await page.locator('.skeleton-chart').waitFor({ state: 'detached' });
    const [period, coverage, from, to] = await Promise.all(
      ['period', 'coverage', 'from', 'to'].map(
        async (name) => (await ready.getAttribute(`data-report-${name}`)) ?? '',
      ),
    );
    const made = new Date(request.at).toLocaleString('en-GB', {
      timeZone: request.timeZone,
      dateStyle: 'medium',
      timeStyle: 'short',
    });
    const pdf = await page.pdf({
      format: request.paper,
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: headerTemplate(`Tierscope report · ${period ?? ''}`, coverage ?? ''),
      footerTemplate: footerTemplate(`Made ${made} (${request.timeZone})`),
      margin: { top: '18mm', bottom: '16mm', left: '12mm', right: '12mm' },
    });
    return { pdf, period: period ?? '', coverage: coverage ?? '', from: Number(from), to: Number(to) };
  } finally {
    await context.close();
  }
}

const TEMPLATE_STYLE =
  'font-family: system-ui, sans-serif; font-size: 8px; color: #555; width: 100%; padding: 0 12mm; display: flex; justify-content: space-between;';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function headerTemplate(title: string, coverage: string): string {
  return `<div style="${TEMPLATE_STYLE}"><span>${escapeHtml(title)}</span><span>${escapeHtml(coverage)}</span></div>`;
}

function footerTemplate(made: string): string {
  return `<div style="${TEMPLATE_STYLE}"><span>${escapeHtml(made)}</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`;
}
