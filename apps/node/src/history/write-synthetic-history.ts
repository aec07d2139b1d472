// `tsx apps/node/src/history/write-synthetic-history.ts --database URL --node N --devices D --from MS --to MS`:
// writes synthetic history into a migrated node database (the report bench and the demo run it)
// and prints one JSON line: {"samples":…,"alerts":…}.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { writeSyntheticHistory } from './synthetic-history.ts';

const Args = z
  .object({
    database: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL'),
    node: z.coerce.number().int().min(0),
    devices: z.coerce.number().int().min(1).max(100_000),
    from: z.coerce.number().int().min(0),
    to: z.coerce.number().int().min(0),
  })
  .refine((a) => a.from < a.to && a.from % 3_600_000 === 0 && a.to % 3_600_000 === 0, {
    message: '"from" and "to" must be whole hours, "from" first',
  });

const { values } = parseArgs({
  options: {
    database: { type: 'string' },
    node: { type: 'string' },
    devices: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
  },
});
const args = Args.safeParse(values);
if (!args.success) {
  process.stderr.write(`write-synthetic-history: ${z.prettifyError(args.error)}\n`);
  process.exit(2);
}
const { database, node, ...shape } = args.data;
const written = await writeSyntheticHistory(database, node, shape);
process.stdout.write(`${JSON.stringify(written)}\n`);
