// The ingest journal: journal, then ack, then commit in batches. Every delivered message is
// appended here before its PUBACK; the store's checkpoint says which records are committed.
import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  fstatSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/** One journaled message, as replay hands it back. */
export interface JournalRecord {
  seq: number;
  topic: string;
  payload: Buffer;
  /** epoch ms when the node received the message */
  receivedAt: number;
  /** The message's original size in bytes; larger than payload.length when the payload was cut. */
  size: number;
  packetId: number | undefined;
  clientId: string | undefined;
}

export interface AppendOptions {
  /** MQTT packet id, kept so a broker redelivery (dup flag) can be recognised. */
  packetId?: number | undefined;
  /** The publishing client (embedded broker): packet ids are per client. */
  clientId?: string | undefined;
  /** Original size when `payload` is only a prefix of the message (oversize messages). */
  size?: number | undefined;
  /**
   * Keep the record in memory until the next flush() (or a later write-through append) instead of
   * writing it now: many records then cost one write. The caller must not ack the message before
   * flush() has returned.
   */
  hold?: boolean | undefined;
}

export interface JournalOptions {
  /** A segment is closed and a new one started past this size. */
  segmentMaxBytes?: number;
  /** fdatasync the active segment this often (survives a power cut, not only a process kill); 0 = never. */
  syncIntervalMs?: number;
  /** The store's checkpoint: new sequences always start above it, even if the journal was lost. */
  minLastSeq?: number;
  /** How many recent records are remembered for recognising broker redeliveries. */
  recentWindow?: number;
}

export interface JournalStats {
  lastSeq: number;
  segments: number;
  bytes: number;
}

const HEADER_BYTES = 8; // u32 body length, u32 crc32(body)
const FIXED_BODY_BYTES = 26; // f64 seq, f64 receivedAt, u32 size, u16 packetId, u16 topicLen, u16 clientIdLen
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const SEGMENT_SUFFIX = '.seg';
const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const DEFAULT_RECENT_WINDOW = 4096;
/** Past this many held bytes (writes failing, say), append refuses held records. */
const MAX_HELD_BYTES = 16 * 1024 * 1024;
/**
 * Records are encoded straight into one reused buffer and written from it: no buffers per record
 * for the garbage collector, one write per flush. It starts at this size (a turn of ~500 small
 * messages fits), grows when needed and is given back once a flush leaves it empty.
 */
const STAGING_BYTES = 256 * 1024;

interface Segment {
  firstSeq: number;
  path: string;
}

/** What a recent record's crc covered, except its payload: enough to check a redelivery against it. */
interface RecentEntry {
  seq: number;
  receivedAt: number;
  topic: string;
  clientId: string | undefined;
  packetId: number;
  size: number;
  /** The record's crc (header fields, topic, client id and payload). */
  crc: number;
}

/**
 * An append-only, length-prefixed, crc-checked log of delivered messages in numbered segments.
 * `append` is synchronous (writev to the kernel), so a record survives a SIGKILL as soon as it
 * returns. Not safe for use by two processes at once.
 */
export class Journal {
  private readonly segments: Segment[];
  private fd: number;
  private activeBytes: number;
  private closedBytes: number;
  private nextSeq: number;
  private dirty = false;
  /** The fd an fdatasync is running on in the thread pool; it must not be closed under it. */
  private syncingFd: number | undefined;
  private closeAfterSync = false;
  private readonly syncTimer: NodeJS.Timeout | undefined;
  /** Keyed by packet id (external broker) or client id and packet id (embedded broker). */
  private readonly recent = new Map<number | string, RecentEntry>();
  /** Records appended with `hold`, not yet written, encoded back to back in `staging[0, heldBytes)`. */
  private staging = Buffer.allocUnsafe(STAGING_BYTES);
  private heldBytes = 0;
  private heldCount = 0;

  private constructor(
    private readonly dir: string,
    private readonly segmentMaxBytes: number,
    private readonly recentWindow: number,
    syncIntervalMs: number,
    recovered: {
      segments: Segment[];
      fd: number;
      activeBytes: number;
      closedBytes: number;
      nextSeq: number;
      tail: JournalRecord[];
    },
  ) {
    this.segments = recovered.segments;
    this.fd = recovered.fd;
    this.activeBytes = recovered.activeBytes;
    this.closedBytes = recovered.closedBytes;
    this.nextSeq = recovered.nextSeq;
    for (const record of recovered.tail) this.remember(record, recordCrc(record));
    if (syncIntervalMs > 0) {
      this.syncTimer = setInterval(() => this.syncInBackground(), syncIntervalMs);
      this.syncTimer.unref();
    }
  }

  /** Opens (creating if needed) the journal in `dir`, cutting a torn last record if the process died mid-write. */
  static open(dir: string, options: JournalOptions = {}): Journal {
    mkdirSync(dir, { recursive: true });
    const segmentMaxBytes = options.segmentMaxBytes ?? DEFAULT_SEGMENT_BYTES;
    const recentWindow = options.recentWindow ?? DEFAULT_RECENT_WINDOW;
    const minLastSeq = options.minLastSeq ?? 0;
    const segments = listSegments(dir);
    let closedBytes = 0;
    for (const segment of segments.slice(0, -1)) closedBytes += fileSize(segment.path);

    const last = segments.at(-1);
    const recovered = last ? recoverSegment(last, recentWindow) : undefined;
    const lastSeq = last && recovered ? (recovered.lastSeq ?? last.firstSeq - 1) : 0;
    const syncIntervalMs = options.syncIntervalMs ?? 0;
    if (last && recovered && lastSeq >= minLastSeq) {
      const fd = openSync(last.path, 'a');
      return new Journal(dir, segmentMaxBytes, recentWindow, syncIntervalMs, {
        segments,
        fd,
        activeBytes: recovered.validBytes,
        closedBytes,
        nextSeq: lastSeq + 1,
        tail: recovered.tail,
      });
    }
    // New journal, or the store is ahead of this one (journal lost or replaced): continue above the store.
    closedBytes += recovered?.validBytes ?? 0;
    const firstSeq = Math.max(minLastSeq, lastSeq) + 1;
    const segment = createSegment(dir, firstSeq);
    segments.push(segment);
    const fd = openSync(segment.path, 'a');
    return new Journal(dir, segmentMaxBytes, recentWindow, syncIntervalMs, {
      segments,
      fd,
      activeBytes: 0,
      closedBytes,
      nextSeq: firstSeq,
      tail: [],
    });
  }

  /** The sequence of the last appended record; 0 when nothing was ever appended. */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /**
   * Appends one record and returns its sequence. Unless `hold` is set it is written (with any held
   * records before it) before this returns; if that write fails this throws and the record is not
   * appended (its sequence is not used).
   */
  append(topic: string, payload: Buffer, receivedAt: number, options: AppendOptions = {}): number {
    // An upper bound first (UTF-8 takes at most 3 bytes per UTF-16 unit); the exact sizes once encoded.
    const clientId = options.clientId || undefined;
    const maxBody = FIXED_BODY_BYTES + 3 * topic.length + 3 * (clientId?.length ?? 0) + payload.length;
    if (options.hold && this.heldBytes + HEADER_BYTES + maxBody > MAX_HELD_BYTES)
      throw new Error('journal: too many records held unwritten (are writes failing?)');
    const seq = this.nextSeq;
    const record = {
      seq,
      receivedAt,
      size: options.size ?? payload.length,
      packetId: options.packetId,
      topic,
      clientId,
      payload,
    };
    this.ensureStaging(HEADER_BYTES + maxBody);
    const start = this.heldBytes;
    const { end, crc } = encodeRecord(this.staging, start, record);
    const total = end - start;
    const pendingBytes = this.activeBytes + this.heldBytes;
    if (pendingBytes > 0 && pendingBytes + total > this.segmentMaxBytes) {
      // The held records belong to the current segment: write them there, then hold this one alone.
      const encoded = Buffer.from(this.staging.subarray(start, end));
      this.rotate();
      this.ensureStaging(total);
      encoded.copy(this.staging, 0);
    }
    this.heldBytes += total;
    this.heldCount++;
    if (!options.hold) {
      try {
        this.flush();
      } catch (error) {
        // Not appended: take it back out, keep any earlier held records for the next flush.
        this.heldBytes -= total;
        this.heldCount--;
        throw error;
      }
    }
    this.nextSeq = seq + 1;
    if (options.packetId && this.recentWindow > 0) this.remember(record, crc);
    return seq;
  }

  /** Records appended with `hold` and not yet written. */
  get heldRecords(): number {
    return this.heldCount;
  }

  /**
   * Writes the held records (one write). Throws if the write fails: then nothing of them is in
   * the file and they stay held for the next flush; their messages must not be acked.
   */
  flush(): void {
    if (this.heldBytes === 0) return;
    const start = this.activeBytes;
    let written = 0;
    try {
      written = writeSync(this.fd, this.staging, 0, this.heldBytes);
      if (written !== this.heldBytes)
        throw new Error(`journal: short write (${written} of ${this.heldBytes} bytes)`);
    } catch (error) {
      if (written > 0) this.cutBackTo(start);
      throw error;
    }
    this.activeBytes += this.heldBytes;
    this.heldBytes = 0;
    this.heldCount = 0;
    this.dirty = true;
    // A burst of large records grew it: don't keep that memory for good.
    if (this.staging.length > 4 * STAGING_BYTES) this.staging = Buffer.allocUnsafe(STAGING_BYTES);
  }

  /**
   * The sequence of a recent record with this packet id (and client) and identical topic and
   * payload, if any: a broker redelivery (dup flag) of a message journaled but not yet acked.
   */
  findRedelivery(
    topic: string,
    payload: Buffer,
    size: number,
    packetId: number,
    clientId?: string,
  ): number | undefined {
    const entry = this.recent.get(recentKey(packetId, clientId || undefined));
    if (!entry || entry.topic !== topic || entry.size !== size) return undefined;
    // The same record again, but for its payload: its crc matches only if the payload does too.
    return recordCrc({ ...entry, payload }) === entry.crc ? entry.seq : undefined;
  }

  /** Records with seq > afterSeq, oldest first. Reads each segment whole; only records present when a segment is reached are seen. */
  async *replay(afterSeq: number): AsyncGenerator<JournalRecord> {
    const segments = [...this.segments];
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      const next = segments[i + 1];
      if (next && next.firstSeq - 1 <= afterSeq) continue;
      const buffer = await readFile(segment.path);
      for (const { record } of readRecords(buffer)) {
        if (record.seq > afterSeq) yield record;
      }
    }
  }

  /** Deletes every segment whose records all have seq ≤ uptoSeq (never the active one). Returns how many. */
  release(uptoSeq: number): number {
    let deleted = 0;
    while (this.segments.length > 1) {
      const first = this.segments[0]!;
      const second = this.segments[1]!;
      if (second.firstSeq - 1 > uptoSeq) break;
      const bytes = fileSize(first.path);
      unlinkSync(first.path);
      this.closedBytes -= bytes;
      this.segments.shift();
      deleted++;
    }
    return deleted;
  }

  stats(): JournalStats {
    return {
      lastSeq: this.lastSeq,
      segments: this.segments.length,
      bytes: this.closedBytes + this.activeBytes + this.heldBytes,
    };
  }

  /** Forces written records to the disk (fdatasync), blocking. */
  sync(): void {
    this.flush();
    if (!this.dirty) return;
    fdatasyncSync(this.fd);
    this.dirty = false;
  }

  close(): void {
    if (this.syncTimer) clearInterval(this.syncTimer);
    try {
      this.sync();
    } finally {
      // Held records that could not be written belong to messages never acked: the broker has them.
      this.heldBytes = 0;
      this.heldCount = 0;
    }
    this.closeFd(this.fd);
  }

  /** The periodic fdatasync runs in libuv's thread pool: a synchronous one stalls ingest for its whole duration. */
  private syncInBackground(): void {
    if (!this.dirty || this.syncingFd !== undefined) return;
    const fd = this.fd;
    this.dirty = false;
    this.syncingFd = fd;
    fdatasync(fd, (error) => {
      this.syncingFd = undefined;
      if (error) this.dirty = true;
      if (this.closeAfterSync) {
        this.closeAfterSync = false;
        closeSync(fd);
      }
    });
  }

  private closeFd(fd: number): void {
    if (this.syncingFd === fd) this.closeAfterSync = true;
    else closeSync(fd);
  }

  private rotate(): void {
    this.sync(); // writes the held records first: they belong to this segment's sequence range
    this.closeFd(this.fd);
    this.closedBytes += this.activeBytes;
    const segment = createSegment(this.dir, this.nextSeq);
    this.segments.push(segment);
    this.fd = openSync(segment.path, 'a');
    this.activeBytes = 0;
  }

  private cutBackTo(bytes: number): void {
    try {
      ftruncateSync(this.fd, bytes);
    } catch {
      // The write already failed; recovery at the next open cuts any partial record.
    }
  }

  /** Grows the staging buffer, keeping the held records, so `bytes` more fit after them. */
  private ensureStaging(bytes: number): void {
    const needed = this.heldBytes + bytes;
    if (needed <= this.staging.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, 2 * this.staging.length));
    this.staging.copy(grown, 0, 0, this.heldBytes);
    this.staging = grown;
  }

  private remember(
    record: Pick<JournalRecord, 'seq' | 'receivedAt' | 'topic' | 'clientId' | 'packetId' | 'size'>,
    crc: number,
  ): void {
    const { packetId } = record;
    if (!packetId || this.recentWindow <= 0) return;
    const key = recentKey(packetId, record.clientId);
    const entry: RecentEntry = {
      seq: record.seq,
      receivedAt: record.receivedAt,
      topic: record.topic,
      clientId: record.clientId,
      packetId,
      size: record.size,
      crc,
    };
    this.recent.delete(key);
    this.recent.set(key, entry);
    if (this.recent.size > this.recentWindow) {
      const oldest = this.recent.keys().next();
      if (!oldest.done) this.recent.delete(oldest.value);
    }
  }
}

type EncodableRecord = Omit<JournalRecord, 'clientId' | 'packetId'> & {
  clientId?: string | undefined;
  packetId?: number | undefined;
};

/**
 * Writes one record (header, fixed fields, topic, client id, payload) at `offset`; the caller made
 * room for the upper bound. Throws, with nothing counted as written, if a length is over its limit.
 */
function encodeRecord(buffer: Buffer, offset: number, record: EncodableRecord): { end: number; crc: number } {
  const body = offset + HEADER_BYTES;
  let at = body + FIXED_BODY_BYTES;
  const topicLength = buffer.write(record.topic, at, 'utf8');
  at += topicLength;
  const clientLength = record.clientId ? buffer.write(record.clientId, at, 'utf8') : 0;
  at += clientLength;
  if (topicLength > 0xffff || clientLength > 0xffff)
    throw new Error('journal: topic or client id longer than 65535 bytes');
  const bodyLength = at - body + record.payload.length;
  if (bodyLength > MAX_BODY_BYTES)
    throw new Error(`journal: record of ${bodyLength} bytes exceeds ${MAX_BODY_BYTES}`);
  at += record.payload.copy(buffer, at);
  buffer.writeUInt32LE(bodyLength, offset);
  buffer.writeDoubleLE(record.seq, body);
  buffer.writeDoubleLE(record.receivedAt, body + 8);
  buffer.writeUInt32LE(record.size, body + 16);
  buffer.writeUInt16LE(record.packetId ?? 0, body + 20);
  buffer.writeUInt16LE(topicLength, body + 22);
  buffer.writeUInt16LE(clientLength, body + 24);
  const crc = crc32(buffer.subarray(body, at));
  buffer.writeUInt32LE(crc, offset + 4);
  return { end: at, crc };
}

/** The crc a record has in the file (only for redelivery checks and recovery: it encodes a copy). */
function recordCrc(record: EncodableRecord): number {
  const bound =
    HEADER_BYTES +
    FIXED_BODY_BYTES +
    3 * record.topic.length +
    3 * (record.clientId?.length ?? 0) +
    record.payload.length;
  return encodeRecord(Buffer.allocUnsafe(bound), 0, record).crc;
}

/** A number for the external broker's session (no string built per message), a string per client otherwise. */
function recentKey(packetId: number, clientId: string | undefined): number | string {
  return clientId === undefined ? packetId : `${clientId}\u0000${packetId}`;
}

function segmentName(firstSeq: number): string {
  return `${String(firstSeq).padStart(16, '0')}${SEGMENT_SUFFIX}`;
}

function listSegments(dir: string): Segment[] {
  return readdirSync(dir)
    .filter((name) => /^\d{16}\.seg$/.test(name))
    .map((name) => ({ firstSeq: Number(name.slice(0, 16)), path: join(dir, name) }))
    .sort((a, b) => a.firstSeq - b.firstSeq);
}

function createSegment(dir: string, firstSeq: number): Segment {
  const path = join(dir, segmentName(firstSeq));
  closeSync(openSync(path, 'a'));
  return { firstSeq, path };
}

function fileSize(path: string): number {
  const fd = openSync(path, 'r');
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

/** Scans a segment, truncates it after its last whole record, and returns the tail for redelivery checks. */
function recoverSegment(
  segment: Segment,
  tailLength: number,
): { lastSeq: number | undefined; validBytes: number; tail: JournalRecord[] } {
  const fd = openSync(segment.path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buffer, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    let validBytes = 0;
    let lastSeq: number | undefined;
    let expected = segment.firstSeq;
    const tail: JournalRecord[] = [];
    for (const { record, end } of readRecords(buffer.subarray(0, read))) {
      if (record.seq !== expected) break;
      expected++;
      validBytes = end;
      lastSeq = record.seq;
      if (tailLength > 0) {
        tail.push(record);
        if (tail.length > tailLength) tail.shift();
      }
    }
    if (validBytes < size) ftruncateSync(fd, validBytes);
    return { lastSeq, validBytes, tail };
  } finally {
    closeSync(fd);
  }
}

/** Yields whole, crc-valid records from the start of `buffer`, stopping at the first torn or corrupt one. */
function* readRecords(buffer: Buffer): Generator<{ record: JournalRecord; end: number }> {
  let offset = 0;
  while (offset + HEADER_BYTES + FIXED_BODY_BYTES <= buffer.length) {
    const bodyLength = buffer.readUInt32LE(offset);
    if (bodyLength < FIXED_BODY_BYTES || bodyLength > MAX_BODY_BYTES) return;
    const end = offset + HEADER_BYTES + bodyLength;
    if (end > buffer.length) return;
    const body = buffer.subarray(offset + HEADER_BYTES, end);
    if (crc32(body) !== buffer.readUInt32LE(offset + 4)) return;
    const topicLength = body.readUInt16LE(22);
    const clientLength = body.readUInt16LE(24);
    if (FIXED_BODY_BYTES + topicLength + clientLength > bodyLength) return;
    const topicEnd = FIXED_BODY_BYTES + topicLength;
    const packetId = body.readUInt16LE(20);
    yield {
      record: {
        seq: body.readDoubleLE(0),
        receivedAt: body.readDoubleLE(8),
        size: body.readUInt32LE(16),
        packetId: packetId === 0 ? undefined : packetId,
        topic: body.toString('utf8', FIXED_BODY_BYTES, topicEnd),
        clientId: clientLength === 0 ? undefined : body.toString('utf8', topicEnd, topicEnd + clientLength),
        payload: body.subarray(topicEnd + clientLength),
      },
      end,
    };
    offset = end;
  }
}
