import {
  DeadLetterReason,
  decodeEventCursor,
  encodeEventCursor,
  eventPositionForOwnItems,
  selfCoverage,
  type DeadLettersService,
  type ListDeadLettersInput,
} from '@tierscope/shared';
import type { LocalNodeServiceDeps } from './local-node.types.ts';
import { afterEventPosition, byCodePoint, epochMs, SqlParams, whereAll } from './order-sql.ts';
import { emptyOwnPage, pathSelects } from './path-scoped.ts';
import { cutPage, elapsedSince } from './paging.ts';

type DeadLetterRow = {
  id: string;
  receivedAt: number;
  topic: string;
  reason: string;
  detail: string;
  payloadPreview: string;
  size: number;
};

/** One statement per call: newest receivedAt first, then id as text; `limit + 1` rows. */
function listStatement(input: ListDeadLettersInput, nodePath: string): { text: string; params: unknown[] } {
  const params = new SqlParams();
  const where: string[] = [];
  if (input.reason) where.push(`d.reason = ${params.add(input.reason)}`);
  if (input.cursor) {
    const position = eventPositionForOwnItems(decodeEventCursor(input.cursor), nodePath);
    where.push(afterEventPosition('d.received_at', 'd.id', position, params));
  }
  // Times are converted after the limit: only the page's rows pay for it, not every row sorted.
  const order = `d.received_at desc, ${byCodePoint('d.id', true)}`;
  const text = `select d.id::text as id, ${epochMs('d.received_at')} as "receivedAt", d.topic, d.reason,
      d.detail, d.payload_preview as "payloadPreview", d.size
    from (select d.id, d.received_at, d.topic, d.reason, d.detail, d.payload_preview, d.size
      from dead_letters d ${whereAll(where)} order by ${order} limit ${params.add(input.limit + 1)}) d
    order by ${order}`;
  return { text, params: params.values };
}

/**
 * Dead letters in the order parents merge them (the dead-letter list rule, federated-lists.ts): newest receivedAt first,
 * then id as text (COLLATE "C"); the cursor is an events-order position with ts = receivedAt.
 */
export function createLocalDeadLettersService(deps: LocalNodeServiceDeps): DeadLettersService {
  const { store, nodePath } = deps;
  return {
    async list(input) {
      if (!pathSelects(input.nodePath, nodePath)) return emptyOwnPage(nodePath);
      const started = performance.now();
      const { text, params } = listStatement(input, nodePath);
      const rows = await store.execPrepared<DeadLetterRow>(text, params);
      const page = cutPage(
        rows,
        input.limit,
        (row) => ({
          ...row,
          nodePath,
          // Stored by the ingest from the same enum; parse keeps the contract type honest.
          reason: DeadLetterReason.parse(row.reason),
        }),
        (d) => encodeEventCursor({ ts: d.receivedAt, path: d.nodePath, id: d.id }),
      );
      return { ...page, coverage: selfCoverage(nodePath, elapsedSince(started)) };
    },
  };
}
