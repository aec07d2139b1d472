import { describe, expect, it } from 'vitest';
import { samplesCopyData } from './samples-copy.ts';

const PG_EPOCH_MS = Date.UTC(2000, 0, 1);

function header(): Buffer {
  return Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
}

function int16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeInt16BE(value);
  return out;
}

function int32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeInt32BE(value);
  return out;
}

function text(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  return Buffer.concat([int32(bytes.length), bytes]);
}

function int64(value: bigint): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigInt64BE(value);
  return out;
}

function float8(value: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeDoubleBE(value);
  return out;
}

function row(deviceId: string, metric: string, micros: bigint, value: number): Buffer {
  return Buffer.concat([
    int16(4),
    text(deviceId),
    text(metric),
    int32(8),
    int64(micros),
    int32(8),
    float8(value),
  ]);
}

describe('samplesCopyData', () => {
  it('encodes header, one row per sample with ts in microseconds from 2000, and the trailer', () => {
    const data = samplesCopyData([
      { deviceId: 'dev-1', metric: 'temp', ts: PG_EPOCH_MS + 1.5, value: 21.5 },
      { deviceId: 'dév-2', metric: 'temp', ts: Date.UTC(2026, 10, 22, 12), value: -0.25 },
    ]);
    expect(data).toEqual(
      Buffer.concat([
        header(),
        row('dev-1', 'temp', 1500n, 21.5),
        row('dév-2', 'temp', BigInt(Date.UTC(2026, 10, 22, 12) - PG_EPOCH_MS) * 1000n, -0.25),
        int16(-1),
      ]),
    );
  });

  it('writes times before 2000 as negative microseconds', () => {
    const data = samplesCopyData([
      { deviceId: 'd', metric: 'm', ts: Date.UTC(1999, 11, 31, 23, 59), value: 1 },
    ]);
    expect(data).toEqual(Buffer.concat([header(), row('d', 'm', -60_000_000n, 1), int16(-1)]));
  });

  it('is only header and trailer for no samples', () => {
    expect(samplesCopyData([])).toEqual(Buffer.concat([header(), int16(-1)]));
  });
});
