import { describe, expect, it } from 'vitest';
import { devicePublishAllowed, deviceSubscribeAllowed, isUnderDevices } from './topic-acl.ts';

describe('device topic ACL', () => {
  it.each(['telemetry', 'events', 'status', 'commands/ack', 'config/reported'])(
    'lets a device publish its own %s',
    (kind) => {
      expect(devicePublishAllowed('pump-7', `devices/pump-7/${kind}`)).toBe(true);
    },
  );

  it.each([
    ['another device', 'devices/pump-8/telemetry'],
    ['a device whose id starts with its own', 'devices/pump-70/telemetry'],
    ['its own commands (node → device)', 'devices/pump-7/commands'],
    ['its own desired configuration (node → device)', 'devices/pump-7/config'],
    ["another device's config report", 'devices/pump-8/config/reported'],
    ['a deeper topic under its own', 'devices/pump-7/telemetry/extra'],
    ['its own prefix alone', 'devices/pump-7/'],
    ['a topic outside the device API', 'factory/pump-7/telemetry'],
    ['a wildcard-looking topic', 'devices/+/telemetry'],
    ['$SYS', '$SYS/broker/clients'],
  ])('refuses a publish to %s', (_what, topic) => {
    expect(devicePublishAllowed('pump-7', topic)).toBe(false);
  });

  it('lets a device subscribe only to its own commands and configuration, exactly', () => {
    expect(deviceSubscribeAllowed('pump-7', 'devices/pump-7/commands')).toBe(true);
    expect(deviceSubscribeAllowed('pump-7', 'devices/pump-7/config')).toBe(true);
    for (const filter of [
      'devices/pump-8/commands',
      'devices/+/commands',
      'devices/pump-7/#',
      'devices/pump-7/+',
      'devices/#',
      '#',
      '$share/g/devices/pump-7/commands',
      'devices/pump-7/telemetry',
      'devices/pump-8/config',
      'devices/+/config',
      'devices/pump-7/config/reported',
    ])
      expect(deviceSubscribeAllowed('pump-7', filter), filter).toBe(false);
  });

  it('counts refusals only for topics in the device API space', () => {
    expect(isUnderDevices('devices/pump-8/telemetry')).toBe(true);
    expect(isUnderDevices('factory/x')).toBe(false);
  });
});
