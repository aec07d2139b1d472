// A test store that survives a SIGKILL: each committed batch is one synchronously appended line.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { BatchResult, IngestBatch } from '../store/ingest-store.ts';
import { MemoryIngestStore } from './memory-ingest-store.ts';

interface BatchLine {
  lastSeq: number;
  samples: IngestBatch['samples'];
}

export class JsonlIngestStore extends MemoryIngestStore {
  constructor(private readonly path: string) {
    super();
  }

  override async writeBatch(batch: IngestBatch): Promise<BatchResult> {
    const result = await super.writeBatch(batch);
    const line: BatchLine = { lastSeq: batch.lastSeq, samples: batch.samples };
    appendFileSync(this.path, `${JSON.stringify(line)}\n`);
    return result;
  }

  /** What a crashed process committed, as a memory store. */
  static load(path: string): MemoryIngestStore {
    const store = new MemoryIngestStore();
    if (!existsSync(path)) return store;
    for (const text of readFileSync(path, 'utf8').split('\n')) {
      if (text === '') continue;
      const line = JSON.parse(text) as BatchLine;
      for (const s of line.samples) store.samples.set(`${s.deviceId}\u0000${s.metric}\u0000${s.ts}`, s);
      store.checkpoint = Math.max(store.checkpoint, line.lastSeq);
    }
    return store;
  }
}
