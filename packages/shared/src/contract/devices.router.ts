import { tracked } from '@trpc/server';
import { adminProcedure, operatorProcedure, router, viewerProcedure } from './trpc.ts';
import {
  Command,
  CommandCatalog,
  CommandCatalogInput,
  CommandHistory,
  CommandJob,
  CommandJobInput,
  CommandManyInput,
  ListCommandsInput,
  SendCommandInput,
  WatchCommandsInput,
} from './commands.schemas.ts';
import {
  ConfigChange,
  ConfigCounts,
  CountConfigsInput,
  DeviceConfig,
  ListConfigsInput,
  SetConfigInput,
} from './device-config.schemas.ts';
import {
  CountDevicesInput,
  Device,
  DeviceCounts,
  DeviceCredentials,
  DeviceRef,
  ListDevicesInput,
  QuarantineDeviceInput,
  ReleaseDeviceInput,
  RotateDeviceCredentialsInput,
  UpsertDeviceInput,
} from './devices.schemas.ts';
import {
  CreateDeviceInput,
  ImportDevicesCsvInput,
  ProvisionDevicesInput,
  ProvisionedDevices,
} from './device-provisioning.schemas.ts';

export const devicesRouter = router({
  /** A page has no `.output()`: the parent checks what it takes (docs/decisions/0012). */
  list: viewerProcedure
    .meta({ page: true })
    .input(ListDevicesInput)
    .query(({ ctx, input }) => ctx.node.devices.list(input)),
  get: viewerProcedure
    .input(DeviceRef)
    .output(Device)
    .query(({ ctx, input }) => ctx.node.devices.get(input)),
  /** How many devices there are, by status; counted at each node and summed. */
  count: viewerProcedure
    .input(CountDevicesInput)
    .output(DeviceCounts)
    .query(({ ctx, input }) => ctx.node.devices.count(input)),
  upsert: adminProcedure
    .meta({ audit: 'device.upsert' })
    .input(UpsertDeviceInput)
    .output(Device)
    .mutation(({ ctx, input }) => ctx.node.devices.upsert(input, ctx.actor)),
  /** The answer holds the only copy of the password: the node stores its hash. */
  rotateCredentials: adminProcedure
    .meta({ audit: 'device.credentials.rotate' })
    .input(RotateDeviceCredentialsInput)
    .output(DeviceCredentials)
    .mutation(({ ctx, input }) => ctx.node.devices.rotateCredentials(input, ctx.actor)),
  quarantine: operatorProcedure
    .meta({ audit: 'device.quarantine' })
    .input(QuarantineDeviceInput)
    .output(Device)
    .mutation(({ ctx, input }) => ctx.node.devices.quarantine(input, ctx.actor)),
  release: operatorProcedure
    .meta({ audit: 'device.release' })
    .input(ReleaseDeviceInput)
    .output(Device)
    .mutation(({ ctx, input }) => ctx.node.devices.release(input, ctx.actor)),
  /** A new device with credentials, shown this once (docs/decisions/0025-device-provisioning.md). */
  create: adminProcedure
    .meta({ audit: 'device.create' })
    .input(CreateDeviceInput)
    .output(DeviceCredentials)
    .mutation(({ ctx, input }) => ctx.node.devices.create(input, ctx.actor)),
  /** One node's batch of an import: devices made with their credentials, or refused, row by row. */
  provision: adminProcedure
    .meta({ audit: 'device.provision', deadlineMs: 10_000 })
    .input(ProvisionDevicesInput)
    .output(ProvisionedDevices)
    .mutation(({ ctx, input }) => ctx.node.devices.provision(input, ctx.actor)),
  /**
   * A CSV of devices, streamed back as `DeviceImportEvent`s (progress, then the result with the
   * credentials): a streaming link (httpBatchStreamLink) is needed to call it.
   */
  importCsv: adminProcedure
    .meta({ audit: 'device.import', deadlineMs: 10_000 })
    .input(ImportDevicesCsvInput)
    .mutation(({ ctx, input }) => ctx.node.devices.importCsv(input, ctx.actor)),
  /** Answers once the command is stored (queued or sent); its outcome comes by `watchCommands`. */
  command: operatorProcedure
    .meta({ audit: 'device.command' })
    .input(SendCommandInput)
    .output(Command)
    .mutation(({ ctx, input }) => ctx.node.devices.command(input, ctx.actor)),
  /**
   * One command to every device a selector picks, across the subtree: answers the job once each
   * owning node stored its commands (the nodes that did not answer are named in its coverage);
   * outcomes come by `commandJob`.
   */
  commandMany: operatorProcedure
    .meta({ audit: 'device.command.bulk', deadlineMs: 10_000 })
    .input(CommandManyInput)
    .output(CommandJob)
    .mutation(({ ctx, input }) => ctx.node.devices.commandMany(input, ctx.actor)),
  /** A bulk command's devices and their outcomes so far, from every node of the subtree. */
  commandJob: viewerProcedure
    .input(CommandJobInput)
    .output(CommandJob)
    .query(({ ctx, input }) => ctx.node.devices.commandJob(input)),
  /** The commands each device kind takes, as the policy in force at the subtree's nodes declares them. */
  commandCatalog: viewerProcedure
    .input(CommandCatalogInput)
    .output(CommandCatalog)
    .query(({ ctx, input }) => ctx.node.devices.commandCatalog(input)),
  /**
   * A desired configuration for every device a selector picks, across the subtree: each owning node
   * stores the next version per device and publishes it retained; the nodes that did not answer are
   * named in the coverage (docs/decisions/0036-desired-configuration.md).
   */
  setConfig: operatorProcedure
    .meta({ audit: 'device.config.set', deadlineMs: 10_000 })
    .input(SetConfigInput)
    .output(ConfigChange)
    .mutation(({ ctx, input }) => ctx.node.devices.setConfig(input, ctx.actor)),
  /** One device's desired and reported configuration, its state and the diff, from the owning node. */
  config: viewerProcedure
    .input(DeviceRef)
    .output(DeviceConfig)
    .query(({ ctx, input }) => ctx.node.devices.config(input)),
  /** Configured devices and where each stands, in devices.list order (no `.output()`: a page). */
  configs: viewerProcedure
    .meta({ page: true })
    .input(ListConfigsInput)
    .query(({ ctx, input }) => ctx.node.devices.configs(input)),
  /** Configured devices by state; counted at each node and summed. */
  configCounts: viewerProcedure
    .input(CountConfigsInput)
    .output(ConfigCounts)
    .query(({ ctx, input }) => ctx.node.devices.configCounts(input)),
  /** One device's commands, newest first, from the owning node. */
  commands: viewerProcedure
    .input(ListCommandsInput)
    .output(CommandHistory)
    .query(({ ctx, input }) => ctx.node.devices.commands(input)),
  /** Live command changes of one device, with resumable ids (the owning node's change sequence). */
  watchCommands: viewerProcedure.input(WatchCommandsInput).subscription(async function* ({
    ctx,
    input,
    signal,
  }) {
    for await (const item of ctx.node.devices.watchCommands(input, signal ?? new AbortController().signal))
      yield tracked(item.id, item.command);
  }),
});
