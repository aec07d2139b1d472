import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { DeviceId, LabelKey, NodePath } from '../domain/ids.ts';
import {
  NewDevice,
  PROVISION_BATCH_MAX,
  type DeviceImportEvent,
  type DeviceImportResult,
  type ImportRowError,
  type ProvisionedCredentials,
  type ProvisionedDevices,
  type ProvisionRow,
  type RefusedRow,
} from './device-provisioning.schemas.ts';

/*
 * CSV device import, the same at every tier (docs/decisions/0025-device-provisioning.md): the tier
 * that receives the file reads and checks all of it, then sends each owning node its rows in
 * batches through `devices.provision`, streaming progress.
 */

const COLUMNS = ['id', 'name', 'kind', 'site', 'labels', 'nodePath'] as const;
type Column = (typeof COLUMNS)[number];
const REQUIRED_COLUMNS: readonly Column[] = ['id', 'name'];

/** `key=value;key=value`, each key once; empty means no labels. */
const LabelsCell = z.string().transform((text, ctx) => {
  const labels: Record<string, string> = {};
  for (const pair of text.split(';').filter((part) => part.trim() !== '')) {
    const at = pair.indexOf('=');
    const key = pair.slice(0, at).trim();
    if (at < 0 || !LabelKey.safeParse(key).success) {
      ctx.addIssue({ code: 'custom', message: `labels: "${pair}" is not key=value with a valid key` });
      return z.NEVER;
    }
    if (key in labels) {
      ctx.addIssue({ code: 'custom', message: `labels: "${key}" twice` });
      return z.NEVER;
    }
    labels[key] = pair.slice(at + 1).trim();
  }
  return labels;
});

/** A CSV record as the columns give it; empty optional cells mean "not given". */
const CsvDeviceRecord = z.object({
  id: DeviceId,
  name: z.string(),
  kind: z.string().default(''),
  site: z.string().default(''),
  labels: LabelsCell.default({}),
  nodePath: z
    .string()
    .optional()
    .transform((path) => (path === undefined || path.trim() === '' ? undefined : path.trim()))
    .pipe(NodePath.optional()),
});

/** A valid row, with the node it goes to (as the tier reading the file names it). */
export interface ImportRow extends ProvisionRow {
  nodePath: string;
}

export interface DeviceCsv {
  rows: ImportRow[];
  errors: ImportRowError[];
  /** Data records in the file, valid or not. */
  records: number;
}

/**
 * Reads and checks a device CSV (see `ImportDevicesCsvInput`). Every problem is reported with its
 * line (the line a record starts on) and, where one is at fault, its column; a row without a
 * `nodePath` goes to `defaultNodePath`, and is an error when there is none. A device id may appear
 * once per node.
 */
export function readDeviceCsv(csv: string, defaultNodePath: string | undefined): DeviceCsv {
  type Parsed = { record: Record<string, string>; info: { lines: number; error?: CsvError }; raw: string };
  let parsed: Parsed[];
  let header: string[] = [];
  try {
    parsed = parse<Parsed>(csv, {
      bom: true,
      columns: (names: string[]) => (header = names.map((name) => name.trim())),
      info: true,
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    // A CsvError carries the line it stopped at (its type does not say so).
    const at = (error as CsvError & { lines?: unknown }).lines;
    const line = typeof at === 'number' ? Math.max(1, at) : 1;
    return { rows: [], errors: [{ line, message: error.message }], records: 0 };
  }
  const headerErrors = checkHeader(header);
  if (headerErrors.length > 0) return { rows: [], errors: headerErrors, records: parsed.length };

  const rows: ImportRow[] = [];
  const errors: ImportRowError[] = [];
  const seen = new Map<string, number>();
  for (const { record, info, raw } of parsed) {
    const line = startLine(info.lines, raw);
    if (info.error) {
      errors.push({ line, message: `expected ${header.length} fields: ${info.error.message}` });
      continue;
    }
    const row = readRecord(record, line, defaultNodePath);
    if ('errors' in row) {
      errors.push(...row.errors);
      continue;
    }
    const key = `${row.nodePath}\u0000${row.deviceId}`;
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({ line, column: 'id', message: `device ${row.deviceId} is on line ${first} already` });
      continue;
    }
    seen.set(key, line);
    rows.push(row);
  }
  return { rows, errors, records: parsed.length };
}

function checkHeader(header: readonly string[]): ImportRowError[] {
  const errors: ImportRowError[] = [];
  for (const name of header) {
    if (!(COLUMNS as readonly string[]).includes(name))
      errors.push({
        line: 1,
        column: name,
        message: `unknown column "${name}" (columns: ${COLUMNS.join(', ')})`,
      });
    else if (header.indexOf(name) !== header.lastIndexOf(name))
      errors.push({ line: 1, column: name, message: `column "${name}" appears twice` });
  }
  for (const name of REQUIRED_COLUMNS)
    if (!header.includes(name))
      errors.push({ line: 1, column: name, message: `column "${name}" is missing` });
  return errors;
}

function readRecord(
  record: Record<string, string>,
  line: number,
  defaultNodePath: string | undefined,
): ImportRow | { errors: ImportRowError[] } {
  const cells = Object.fromEntries(Object.entries(record).filter(([, value]) => value !== ''));
  const checked = CsvDeviceRecord.safeParse(cells);
  if (!checked.success) return { errors: issuesAt(line, checked.error) };
  const { id, nodePath = defaultNodePath, ...rest } = checked.data;
  const device = NewDevice.safeParse({ deviceId: id, ...rest });
  if (!device.success)
    return { errors: issuesAt(line, device.error, (path) => (path === 'deviceId' ? 'id' : path)) };
  if (nodePath === undefined)
    return {
      errors: [{ line, column: 'nodePath', message: 'no node: give a nodePath column or call with one' }],
    };
  return { ...device.data, line, nodePath };
}

function issuesAt(
  line: number,
  error: z.ZodError,
  columnOf: (path: string) => string = (path) => path,
): ImportRowError[] {
  return error.issues.map((issue) => {
    const field = issue.path[0];
    return typeof field === 'string'
      ? { line, column: columnOf(field), message: `${columnOf(field)}: ${issue.message}` }
      : { line, message: issue.message };
  });
}

/** csv-parse counts the lines read up to a record's end; a record may span lines in quotes. */
function startLine(linesRead: number, raw: string): number {
  const body = raw.replace(/^[\r\n]+/, '').replace(/\r?\n$/, '');
  return linesRead - (body.match(/\n/g)?.length ?? 0);
}

/**
 * Rows per `devices.provision` call of an import: the progress events come this often. (A node
 * stores a batch in slices and a parent counts its answers as life, so a larger batch no longer
 * gets a busy node called unreachable: docs/decisions/0032-a-busy-child-is-alive.md.)
 */
const IMPORT_BATCH_SIZE = 100;

/** Makes the devices of one batch at the node `nodePath` names; an error refuses the whole batch. */
export type ProvisionBatch = (nodePath: string, rows: ProvisionRow[]) => Promise<ProvisionedDevices>;

export interface DeviceImportOptions {
  /** Where rows without a `nodePath` go when the call names none (a leaf: itself). */
  defaultNodePath?: string | undefined;
  /** Nodes importing at once; each node takes its batches one after another. Default 4. */
  concurrency?: number;
  /** Rows per batch; default 100, at most PROVISION_BATCH_MAX. */
  batchSize?: number;
}

/**
 * `devices.importCsv` at any tier: reads the file, then (unless it has errors and `importValidRows`
 * is off) sends each node its rows in batches, yielding progress after each batch and the result
 * last. A batch that fails is reported row by row as refused; the others go on. When the caller
 * stops reading, no further batch is sent.
 */
export async function* importDevicesCsv(
  input: { nodePath?: string | undefined; csv: string; importValidRows: boolean },
  provision: ProvisionBatch,
  options: DeviceImportOptions = {},
): AsyncGenerator<DeviceImportEvent, void, undefined> {
  const { rows, errors, records } = readDeviceCsv(input.csv, input.nodePath ?? options.defaultNodePath);
  const result = (created: ProvisionedCredentials[], refused: RefusedRow[], imported: boolean) =>
    ({
      kind: 'result',
      imported,
      counts: {
        rows: records,
        invalid: records - rows.length,
        created: created.length,
        refused: refused.length,
      },
      errors,
      refused,
      created,
    }) satisfies DeviceImportResult;
  if (errors.length > 0 && !input.importValidRows) {
    yield result([], [], false);
    return;
  }

  const batchSize = Math.min(options.batchSize ?? IMPORT_BATCH_SIZE, PROVISION_BATCH_MAX);
  const batchesByNode = new Map<string, ProvisionRow[][]>();
  for (const { nodePath, ...row } of rows) {
    const batches = batchesByNode.get(nodePath) ?? [];
    const last = batches.at(-1);
    if (last && last.length < batchSize) last.push(row);
    else batches.push([row]);
    batchesByNode.set(nodePath, batches);
  }

  const created: ProvisionedCredentials[] = [];
  const refused: RefusedRow[] = [];
  const progress = new ProgressChannel();
  let stopped = false;
  const importNode = async (nodePath: string, batches: ProvisionRow[][]) => {
    for (const batch of batches) {
      if (stopped) return;
      try {
        const answer = await provisionWhenReachable(() => provision(nodePath, batch));
        // Each row is named by the node path as this tier's caller names it.
        created.push(...answer.created.map((row) => ({ ...row, nodePath })));
        refused.push(...answer.refused.map((row) => ({ ...row, nodePath })));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        refused.push(...batch.map((row) => ({ line: row.line, deviceId: row.deviceId, nodePath, message })));
      }
      progress.notify();
    }
  };
  const work = runBounded([...batchesByNode], options.concurrency ?? 4, ([nodePath, batches]) =>
    importNode(nodePath, batches),
  ).finally(() => progress.close());
  try {
    while (await progress.next()) {
      yield {
        kind: 'progress',
        total: rows.length,
        done: created.length + refused.length,
        created: created.length,
        refused: refused.length,
      };
    }
    await work;
  } finally {
    stopped = true;
  }
  const byLine = (a: { line: number }, b: { line: number }) => a.line - b.line;
  yield result(created.sort(byLine), refused.sort(byLine), true);
}

/** Pauses and tries at most this often when a node is unreachable (SERVICE_UNAVAILABLE: not called). */
const UNREACHABLE_RETRIES = 5;
const UNREACHABLE_PAUSE_MS = 1000;

/**
 * A node away for a moment (restarting, its link dropped) is called unreachable by its parent's
 * heartbeat; the fan-out then refuses the next call without making it, so trying again is safe.
 */
async function provisionWhenReachable(call: () => Promise<ProvisionedDevices>): Promise<ProvisionedDevices> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const code = (error as { code?: unknown } | undefined)?.code;
      if (code !== 'SERVICE_UNAVAILABLE' || attempt >= UNREACHABLE_RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, UNREACHABLE_PAUSE_MS));
    }
  }
}

/** Wakes the reader after each batch; several batches done between two reads wake it once. */
class ProgressChannel {
  private pending = false;
  private closed = false;
  private wake: (() => void) | undefined;

  notify(): void {
    this.pending = true;
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  /** Resolves true when there is news, false once closed with nothing left to tell. */
  async next(): Promise<boolean> {
    while (!this.pending && !this.closed) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = undefined;
    const news = this.pending;
    this.pending = false;
    return news;
  }
}

/** Runs `task` over `items`, at most `limit` at a time. */
async function runBounded<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Devices as an import reads them (`id,name,kind,site,labels,nodePath`). */
export function devicesCsv(
  devices: ReadonlyArray<{
    id: string;
    name: string;
    kind?: string;
    site?: string;
    labels?: Record<string, string>;
    nodePath?: string;
  }>,
): string {
  return stringify(
    devices.map((device) => [
      device.id,
      device.name,
      device.kind ?? '',
      device.site ?? '',
      Object.entries(device.labels ?? {})
        .map(([key, value]) => `${key}=${value}`)
        .join(';'),
      device.nodePath ?? '',
    ]),
    { header: true, columns: [...COLUMNS] },
  );
}

const CREDENTIAL_COLUMNS = ['line', 'deviceId', 'nodePath', 'username', 'password'] as const;

/** The credentials of an import as a CSV to download (`line,deviceId,nodePath,username,password`). */
export function credentialsCsv(created: readonly ProvisionedCredentials[]): string {
  return stringify(
    created.map((row) => CREDENTIAL_COLUMNS.map((column) => row[column])),
    { header: true, columns: [...CREDENTIAL_COLUMNS] },
  );
}

const CredentialsRecord = z.object({ username: z.string().min(1), password: z.string().min(1) });

/** Device logins (username → password) from a CSV `credentialsCsv` wrote. */
export function readCredentialsCsv(csv: string): Map<string, string> {
  const records: unknown[] = parse(csv, { columns: true, skip_empty_lines: true, trim: true });
  return new Map(
    records.map((record) => {
      const { username, password } = CredentialsRecord.parse(record);
      return [username, password];
    }),
  );
}
