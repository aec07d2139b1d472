import type { ProvisionedCredentials } from '@tierscope/shared/schemas';

const CREDENTIAL_COLUMNS = ['line', 'deviceId', 'nodePath', 'username', 'password'] as const;
const csvCell = (value: string | number) => {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/**
 * The credentials as the CLI's `credentialsCsv` writes them. Written here: the CSV library the
 * shared module uses needs Node's Buffer, which the browser has not.
 */
export function credentialsCsvText(created: readonly ProvisionedCredentials[]): string {
  const rows = [CREDENTIAL_COLUMNS, ...created.map((row) => CREDENTIAL_COLUMNS.map((column) => row[column]))];
  return rows.map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}
