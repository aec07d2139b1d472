// Samples in PostgreSQL's binary COPY format, for `COPY samples … FROM STDIN (FORMAT binary)`.
import type { SampleRow } from './ingest-store.ts';

/** `COPY … FROM STDIN (FORMAT binary)` for the rows samplesCopyData encodes, in its column order. */
export const COPY_SAMPLES = 'COPY samples (device_id, metric, ts, value) FROM STDIN (FORMAT binary)';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Signature, flags (int32 0), header extension length (int32 0). */
const HEADER_BYTES = SIGNATURE.length + 8;
const TRAILER_BYTES = 2;
/** Field count (int16), then ts and value: length (int32) and 8 bytes each. */
const FIXED_ROW_BYTES = 2 + 2 * (4 + 8);
/** PostgreSQL's timestamps count microseconds from 2000-01-01 UTC. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_TO_32 = 2 ** 32;
/** Device ids and metric names repeat: their encoded form is kept, up to this many. */
const TEXT_CACHE_SIZE = 10_000;

const textCache = new Map<string, Buffer>();

/**
 * The COPY data (header, rows, trailer) of `samples`. Binary rather than text: PostgreSQL parses
 * neither timestamps nor numbers, and COPY costs it less than INSERT … SELECT unnest(…).
 */
export function samplesCopyData(samples: readonly SampleRow[]): Buffer {
  const n = samples.length;
  let bytes = HEADER_BYTES + TRAILER_BYTES + n * FIXED_ROW_BYTES;
  for (let i = 0; i < n; i++) {
    const sample = samples[i]!;
    bytes += encodedText(sample.deviceId).length + encodedText(sample.metric).length;
  }
  const out = Buffer.allocUnsafe(bytes);
  SIGNATURE.copy(out, 0);
  out.writeInt32BE(0, SIGNATURE.length);
  out.writeInt32BE(0, SIGNATURE.length + 4);
  let at = HEADER_BYTES;
  for (let i = 0; i < n; i++) {
    const sample = samples[i]!;
    out.writeInt16BE(4, at);
    at += 2;
    // Found again in the cache (which a new text may have cleared: then encoded again, same bytes).
    at += copyInto(out, encodedText(sample.deviceId), at);
    at += copyInto(out, encodedText(sample.metric), at);
    out.writeInt32BE(8, at);
    at = writeMicros(out, Math.round((sample.ts - PG_EPOCH_MS) * 1000), at + 4);
    out.writeInt32BE(8, at);
    at = out.writeDoubleBE(sample.value, at + 4);
  }
  out.writeInt16BE(-1, at);
  return out;
}

/** A text field: its byte length (int32), then its UTF-8 bytes. */
function encodedText(text: string): Buffer {
  let encoded = textCache.get(text);
  if (encoded === undefined) {
    const length = Buffer.byteLength(text, 'utf8');
    encoded = Buffer.allocUnsafe(4 + length);
    encoded.writeInt32BE(length, 0);
    encoded.write(text, 4, 'utf8');
    if (textCache.size >= TEXT_CACHE_SIZE) textCache.clear();
    textCache.set(text, encoded);
  }
  return encoded;
}

function copyInto(out: Buffer, part: Buffer, at: number): number {
  out.set(part, at);
  return part.length;
}

/** An int64, big-endian, from a safe integer (two int32 halves: no BigInt per row). */
function writeMicros(out: Buffer, micros: number, at: number): number {
  const high = Math.floor(micros / TWO_TO_32);
  out.writeInt32BE(high, at);
  out.writeUInt32BE(micros - high * TWO_TO_32, at + 4);
  return at + 8;
}
