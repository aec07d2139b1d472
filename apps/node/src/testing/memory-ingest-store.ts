// An in-memory IngestStore for tests: idempotent on the same keys as the real store.
import type {
  BatchResult,
  CommandAckRow,
  DeadLetterRow,
  EventRow,
  IngestBatch,
  IngestStore,
  SampleRow,
  StatusRow,
} from '../store/ingest-store.ts';

export class MemoryIngestStore implements IngestStore {
  readonly samples = new Map<string, SampleRow>();
  readonly events = new Map<string, EventRow>();
  readonly deadLetters = new Map<number, DeadLetterRow>();
  readonly statuses: StatusRow[] = [];
  readonly commandAcks: CommandAckRow[] = [];
  readonly devices = new Map<string, number>();
  readonly batches: IngestBatch[] = [];
  checkpoint = 0;
  /** While true, writeBatch fails as a database that is down would. */
  down = false;
  writeDelayMs = 0;

  constructor(deviceIds: Iterable<string> = []) {
    for (const id of deviceIds) this.devices.set(id, 0);
  }

  async writeBatch(batch: IngestBatch): Promise<BatchResult> {
    if (this.writeDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.writeDelayMs));
    if (this.down) throw new Error('connection refused: database is down');
    let samplesInserted = 0;
    for (const sample of batch.samples) {
      const key = `${sample.deviceId}\u0000${sample.metric}\u0000${sample.ts}`;
      if (this.samples.has(key)) continue; // ON CONFLICT DO NOTHING
      samplesInserted++;
      this.samples.set(key, sample);
    }
    let eventsInserted = 0;
    for (const event of batch.events) {
      const key = `${event.deviceId}\u0000${event.ts}\u0000${event.type}`;
      if (this.events.has(key)) continue;
      eventsInserted++;
      this.events.set(key, event);
    }
    let deadLettersInserted = 0;
    for (const row of batch.deadLetters) {
      if (this.deadLetters.has(row.seq)) continue;
      deadLettersInserted++;
      this.deadLetters.set(row.seq, row);
    }
    this.statuses.push(...batch.statuses);
    this.commandAcks.push(...batch.commandAcks);
    for (const [deviceId, at] of batch.seen)
      this.devices.set(deviceId, Math.max(at, this.devices.get(deviceId) ?? 0));
    this.checkpoint = Math.max(this.checkpoint, batch.lastSeq);
    this.batches.push(batch);
    return { samplesInserted, eventsInserted, deadLettersInserted };
  }

  async readCheckpoint(): Promise<number> {
    return this.checkpoint;
  }

  async listDeviceIds(): Promise<string[]> {
    return [...this.devices.keys()];
  }

  /** Samples of one device, oldest first. */
  samplesOf(deviceId: string): SampleRow[] {
    return [...this.samples.values()].filter((s) => s.deviceId === deviceId).sort((a, b) => a.ts - b.ts);
  }
}
