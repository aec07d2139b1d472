import { adminProcedure, router, viewerProcedure } from './trpc.ts';
import { Device, DevicePage, DeviceRef, ListDevicesInput, UpsertDeviceInput } from './devices.schemas.ts';

export const devicesRouter = router({
  list: viewerProcedure
    .input(ListDevicesInput)
    .output(DevicePage)
    .query(({ ctx, input }) => ctx.node.devices.list(input)),
  get: viewerProcedure
    .input(DeviceRef)
    .output(Device)
    .query(({ ctx, input }) => ctx.node.devices.get(input)),
  upsert: adminProcedure
    .input(UpsertDeviceInput)
    .output(Device)
    .mutation(({ ctx, input }) => ctx.node.devices.upsert(input)),
});
