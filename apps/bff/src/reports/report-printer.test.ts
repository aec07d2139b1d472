import { describe, expect, it } from 'vitest';
import { createReportPrinter, NoChromiumError } from './report-printer.ts';

describe('report printer', () => {
  it('refuses with a clear error when no Chromium is configured', async () => {
    const printer = createReportPrinter(undefined, 'warm');
    const printing = printer.print({
      url: 'http://127.0.0.1:1/reports',
      cookie: { name: 'tierscope_session', value: 'x', secure: false },
      paper: 'A4',
      timeZone: 'UTC',
      at: 0,
    });
    await expect(printing).rejects.toBeInstanceOf(NoChromiumError);
    await expect(printing).rejects.toThrow(/set CHROMIUM_PATH/);
    await printer.close();
  });
});
