import { z } from 'zod';
import { DeviceId, NodePath } from '../domain/ids.ts';
import { Cursor, Limit } from '../domain/page.ts';
import { Timestamp } from '../domain/time.ts';
import { Coverage } from '../domain/coverage.ts';
import { DeviceRef, DeviceStatus } from './devices.schemas.ts';
import { DeviceFilters } from './reports.schemas.ts';

/** A command's name as a device kind declares it and the device receives it (`set-interval`). */
export const CommandName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'command name: 1–64 of A-Z, a-z, 0-9, "_", ".", "-"');
export type CommandName = z.infer<typeof CommandName>;

/**
 * One parameter of a declared command: the subset of JSON Schema a console can render as a form
 * field and a node checks with a JSON Schema validator.
 */
export const CommandParamSchema = z.strictObject({
  type: z.enum(['string', 'number', 'integer', 'boolean']),
  description: z.string().max(500).optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  minLength: z.number().int().min(0).max(2000).optional(),
  maxLength: z.number().int().min(0).max(2000).optional(),
  enum: z
    .array(z.union([z.string().max(200), z.number()]))
    .min(1)
    .max(50)
    .optional(),
});
export type CommandParamSchema = z.infer<typeof CommandParamSchema>;

/** A command's parameters as a JSON Schema object: named properties, which are required, nothing else. */
export const CommandParamsSchema = z
  .strictObject({
    type: z.literal('object'),
    properties: z.record(z.string().regex(/^[A-Za-z0-9_]{1,64}$/), CommandParamSchema).default({}),
    required: z.array(z.string().max(64)).max(64).default([]),
    /** Off unless a declaration says otherwise: an unknown parameter is a typo, refused. */
    additionalProperties: z.boolean().default(false),
  })
  .refine((schema) => Object.keys(schema.properties).length <= 64, 'a command declares at most 64 parameters')
  .refine(
    (schema) => schema.required.every((name) => name in schema.properties),
    'every required parameter is one of the properties',
  );
export type CommandParamsSchema = z.infer<typeof CommandParamsSchema>;

export const CommandDeclaration = z.strictObject({
  description: z.string().max(500).default(''),
  params: CommandParamsSchema.prefault({ type: 'object' }),
});
export type CommandDeclaration = z.infer<typeof CommandDeclaration>;

/** The commands of each device kind, by kind and then by command name. */
export const CommandDeclarations = z
  .record(z.string().max(64), z.record(CommandName, CommandDeclaration))
  .refine((kinds) => Object.keys(kinds).length <= 200, 'at most 200 device kinds declare commands');
export type CommandDeclarations = z.infer<typeof CommandDeclarations>;

/** The commands declared for the devices of a subtree (the whole tree without `nodePath`). */
export const CommandCatalogInput = z.object({ nodePath: NodePath.optional() }).prefault({});
export type CommandCatalogInput = z.infer<typeof CommandCatalogInput>;

/**
 * What a console offers to send: each kind's commands as the policy in force declares them. Merged
 * over the nodes that answered (a kind's command as the first node declares it); the coverage names
 * the nodes that did not.
 */
export const CommandCatalog = z.object({ commands: CommandDeclarations, coverage: Coverage });
export type CommandCatalog = z.infer<typeof CommandCatalog>;

/**
 * `queued`: stored, waiting for the device to be online; `sent`: published, waiting for its ack;
 * `succeeded`/`failed`: the device answered ok or not; `timed_out`: no answer within `timeoutMs` of
 * sending; `expired`: the device stayed offline past `ttlMs` from creation, so it was never sent.
 */
export const CommandState = z.enum(['queued', 'sent', 'succeeded', 'failed', 'timed_out', 'expired']);
export type CommandState = z.infer<typeof CommandState>;

/** Commands that will change state again. */
export const OPEN_COMMAND_STATES: readonly CommandState[] = ['queued', 'sent'];

export const CommandId = z.string().min(1).max(64);

export const CommandParams = z
  .record(z.string().max(64), z.unknown())
  .refine((params) => JSON.stringify(params).length <= 16_384, 'params: at most 16 KiB of JSON');
export type CommandParams = z.infer<typeof CommandParams>;

/** A command as the node that owns the device keeps it. */
export const Command = z.object({
  id: CommandId,
  /** The node that owns the device, which alone talks to it. */
  nodePath: NodePath,
  deviceId: DeviceId,
  name: CommandName,
  params: CommandParams,
  state: CommandState,
  timeoutMs: z.number().int(),
  ttlMs: z.number().int(),
  /** Who sent it (`user:alice`). */
  createdBy: z.string().max(300),
  createdAt: Timestamp,
  sentAt: Timestamp.nullable(),
  /** When it reached its final state. */
  finishedAt: Timestamp.nullable(),
  /** What the device answered with `ok: true`. */
  result: z.record(z.string(), z.unknown()).nullable(),
  /** The device's error, or why the node gave up. */
  error: z.string().max(2000).nullable(),
});
export type Command = z.infer<typeof Command>;

/**
 * Sends command `name` to a device of `nodePath`: the owning node checks it against the kind's
 * declaration before it is stored, publishes it when the device is online (at once if it is) and
 * waits `timeoutMs` for the device's ack; a device offline for `ttlMs` never gets it.
 */
const CommandToSend = z.object({
  name: CommandName,
  params: CommandParams.default({}),
  timeoutMs: z.number().int().min(100).max(600_000).default(10_000),
  ttlMs: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400_000)
    .default(300_000),
});
export const SendCommandInput = DeviceRef.extend(CommandToSend.shape);
export type SendCommandInput = z.infer<typeof SendCommandInput>;

/** A device's commands, newest first. */
export const ListCommandsInput = DeviceRef.extend({ limit: Limit, cursor: Cursor.optional() });
export type ListCommandsInput = z.infer<typeof ListCommandsInput>;

/** One page of one device's command history; every item belongs to `nodePath`. */
export const CommandHistory = z.object({
  nodePath: NodePath,
  deviceId: DeviceId,
  items: z.array(Command),
  nextCursor: Cursor.nullable(),
});
export type CommandHistory = z.infer<typeof CommandHistory>;

/**
 * A device's command changes as they happen. Without `lastEventId` the stream starts with the
 * device's open commands; with it, every command that changed since, in its current state.
 */
export const WatchCommandsInput = DeviceRef.extend({ lastEventId: z.string().max(64).nullish() });
export type WatchCommandsInput = z.infer<typeof WatchCommandsInput>;

/** One stream item: a command as it is after a change, and the event id to resume after it. */
export interface TrackedCommand {
  id: string;
  command: Command;
}

/** The most devices one bulk command reaches at one node. */
export const BULK_COMMAND_MAX_DEVICES = 10_000;

/**
 * Which devices a bulk command goes to: the devices of a subtree (`nodePath`; the whole tree
 * without it) that match every filter given.
 */
export const CommandSelector = DeviceFilters.extend({
  nodePath: NodePath.optional(),
  status: DeviceStatus.optional(),
  deviceIds: z.array(DeviceId).min(1).max(BULK_COMMAND_MAX_DEVICES).optional(),
}).prefault({});
export type CommandSelector = z.infer<typeof CommandSelector>;

/** Names one bulk command at every node it reached. */
export const CommandJobId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'job id: 8–64 of A-Z, a-z, 0-9, "_", "-"');
export type CommandJobId = z.infer<typeof CommandJobId>;

/**
 * One command to every device the selector picks. Each owning node checks and stores the commands
 * at once and publishes them at most `ratePerSecond` a second (offline devices wait, as a single
 * command's do). `jobId` is chosen by the tier that takes the call when the caller gives none, and
 * passed down, so the job is read back by it at any tier.
 */
export const CommandManyInput = CommandToSend.extend({
  jobId: CommandJobId.optional(),
  selector: CommandSelector,
  ratePerSecond: z.number().int().min(1).max(1000).default(100),
});
export type CommandManyInput = z.infer<typeof CommandManyInput>;

/**
 * A device's outcome in a bulk command: its command's state, or `unreachable` for a device of a
 * node that did not answer, named from the last known roster its parent keeps (decision 38).
 */
export const CommandJobOutcome = z.enum([...CommandState.options, 'unreachable']);
export type CommandJobOutcome = z.infer<typeof CommandJobOutcome>;

/**
 * One device's command in a job, as it stands. An `unreachable` item has no command (`commandId`
 * null) and says in `error` why and when its device was last known.
 */
export const CommandJobItem = z.object({
  nodePath: NodePath,
  deviceId: DeviceId,
  commandId: CommandId.nullable(),
  state: CommandJobOutcome,
  error: z.string().max(2000).nullable(),
});
export type CommandJobItem = z.infer<typeof CommandJobItem>;

/** A selected device that got no command, and why (its kind does not declare it, bad params). */
export const CommandJobRefusal = z.object({
  nodePath: NodePath,
  deviceId: DeviceId,
  message: z.string().max(2000),
});
export type CommandJobRefusal = z.infer<typeof CommandJobRefusal>;

/**
 * What a tier knew of the devices of a member that did not answer: the roster it last read from
 * it, and when (`lastKnownAt`); null when it never read one, and the member's devices are unknown.
 */
export const CommandJobRoster = z.object({
  nodePath: NodePath,
  lastKnownAt: Timestamp.nullable(),
});
export type CommandJobRoster = z.infer<typeof CommandJobRoster>;

/**
 * A bulk command's devices and their outcomes, gathered from every node that answered. The
 * coverage names each node that did not, and why; its devices the selector picks from the last
 * known roster are items `unreachable`, and `rosters` says how old each such roster is.
 */
export const CommandJob = z.object({
  jobId: CommandJobId,
  /** Items by outcome; `total` = the number of items = the sum of `byState`. */
  counts: z.object({
    total: z.number().int().min(0),
    byState: z.record(CommandJobOutcome, z.number().int().min(0)),
  }),
  /** Every device of the job, by node path then device id. */
  items: z.array(CommandJobItem),
  refused: z.array(CommandJobRefusal),
  /** One per member that did not answer, outermost first. */
  rosters: z.array(CommandJobRoster).default([]),
  coverage: Coverage,
});
export type CommandJob = z.infer<typeof CommandJob>;

/** A bulk command's outcomes so far, from the nodes of a subtree (the whole tree without `nodePath`). */
export const CommandJobInput = z.object({ jobId: CommandJobId, nodePath: NodePath.optional() });
export type CommandJobInput = z.infer<typeof CommandJobInput>;

/** Counts the items of a job by outcome. */
export function countCommandJob(items: readonly CommandJobItem[]): CommandJob['counts'] {
  const byState = Object.fromEntries(CommandJobOutcome.options.map((state) => [state, 0])) as Record<
    CommandJobOutcome,
    number
  >;
  for (const item of items) byState[item.state] += 1;
  return { total: items.length, byState };
}
