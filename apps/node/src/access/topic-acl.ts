import { commandsTopic, configTopic, DEVICE_TOPIC_FILTERS } from '@tierscope/shared';

/*
 * The embedded broker's topic ACL with DEVICE_AUTH=required: a device logged in as `deviceId`
 * publishes only its own data and subscribes only to its own commands and desired configuration. A last will is a publish and
 * is held to the same rule. The README's Mosquitto acl_file says the same for an external broker.
 */

const DEVICE_PREFIX = 'devices/';
/** `telemetry`, `events`, `status`, `commands/ack`, `config/reported`: the device → node topics. */
const OWN_DATA_TOPICS: ReadonlySet<string> = new Set(
  DEVICE_TOPIC_FILTERS.map((filter) => filter.slice(`${DEVICE_PREFIX}+/`.length)),
);

/** Whether the device logged in as `deviceId` may publish to `topic`. */
export function devicePublishAllowed(deviceId: string, topic: string): boolean {
  const own = `${DEVICE_PREFIX}${deviceId}/`;
  return topic.startsWith(own) && OWN_DATA_TOPICS.has(topic.slice(own.length));
}

/**
 * Whether the device logged in as `deviceId` may subscribe to `filter`: its commands or its desired
 * configuration, no wildcard.
 */
export function deviceSubscribeAllowed(deviceId: string, filter: string): boolean {
  return filter === commandsTopic(deviceId) || filter === configTopic(deviceId);
}

/** Whether a topic is in the device API's space: refusals there are counted (others are noise). */
export function isUnderDevices(topic: string): boolean {
  return topic.startsWith(DEVICE_PREFIX);
}
