/**
 * pino `redact` paths for the BFF's logger: cookies, credentials and CSRF tokens never reach a log
 * line, whether a request, a reply or a body is logged. Pass as `pino({ redact: CONSOLE_LOG_REDACT })`.
 */
export const CONSOLE_LOG_REDACT = {
  paths: [
    'req.headers.cookie',
    'req.headers.authorization',
    'req.headers["x-csrf-token"]',
    'res.headers["set-cookie"]',
    'headers.cookie',
    'headers.authorization',
    'headers["x-csrf-token"]',
    'password',
    'currentPassword',
    'newPassword',
    'adminPassword',
    '*.password',
    '*.currentPassword',
    '*.newPassword',
    '*.adminPassword',
    'csrfToken',
    '*.csrfToken',
    // Device credentials as an import answers them (devices.importCsv, devices.provision).
    'created[*].password',
    '*.created[*].password',
  ],
  censor: '[redacted]',
};
