import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CONSOLE_LOG_REDACT } from './log-redaction.ts';

describe('log redaction', () => {
  it('keeps cookies, credentials, CSRF tokens and passwords out of log lines', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ redact: CONSOLE_LOG_REDACT }, sink);
    logger.info(
      {
        req: {
          headers: {
            cookie: 'tierscope_session=SECRET1',
            authorization: 'Bearer SECRET2',
            'x-csrf-token': 'SECRET3',
          },
        },
        res: { headers: { 'set-cookie': 'tierscope_session=SECRET4' } },
        body: { username: 'ada', password: 'SECRET5', newPassword: 'SECRET6' },
        adminPassword: 'SECRET7',
        result: { created: [{ deviceId: 'd1', password: 'SECRET8' }] },
        created: [{ deviceId: 'd2', password: 'SECRET9' }],
      },
      'request',
    );
    const line = lines.join('');
    expect(line).not.toMatch(/SECRET/);
    expect(line).toContain('"username":"ada"');
    expect(line).toContain('[redacted]');
  });
});
