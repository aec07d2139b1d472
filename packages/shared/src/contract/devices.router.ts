import { adminProcedure, operatorProcedure, router, viewerProcedure } from './trpc.ts';
import {
  Device,
  DeviceCredentials,
  DeviceRef,
  ListDevicesInput,
  QuarantineDeviceInput,
  ReleaseDeviceInput,
  RotateDeviceCredentialsInput,
  UpsertDeviceInput,
} from './devices.schemas.ts';

export const devicesRouter = router({
  /** A page has no `.output()`: the parent checks what it takes (docs/decisions/0012). */
  list: viewerProcedure.input(ListDevicesInput).query(({ ctx, input }) => ctx.node.devices.list(input)),
  get: viewerProcedure
    .input(DeviceRef)
    .output(Device)
    .query(({ ctx, input }) => ctx.node.devices.get(input)),
  upsert: adminProcedure
    .input(UpsertDeviceInput)
    .output(Device)
    .mutation(({ ctx, input }) => ctx.node.devices.upsert(input)),
  /** The answer holds the only copy of the password: the node stores its hash. */
  rotateCredentials: adminProcedure
    .input(RotateDeviceCredentialsInput)
    .output(DeviceCredentials)
    .mutation(({ ctx, input }) => ctx.node.devices.rotateCredentials(input, ctx.actor)),
  quarantine: operatorProcedure
    .input(QuarantineDeviceInput)
    .output(Device)
    .mutation(({ ctx, input }) => ctx.node.devices.quarantine(input, ctx.actor)),
  release: operatorProcedure
    .input(ReleaseDeviceInput)
    .output(Device)
    .mutation(({ ctx, input }) => ctx.node.devices.release(input, ctx.actor)),
});
