import { describe, expect, it } from 'vitest';
import { loadNodeConfig, NodeConfig } from './env.ts';

const base = { nodeId: 'probe-1', nodeName: 'probe-1', databaseUrl: 'pglite:memory', dataDir: '.data/x' };
const token = 'a-node-token-of-enough-length';
const issues = (input: Record<string, unknown>) =>
  NodeConfig.safeParse({ ...base, ...input }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

describe('PARENT_UPLINK_URL', () => {
  it('dials no parent by default', () => {
    expect(NodeConfig.parse(base).parentUplinkUrls).toEqual([]);
  });

  it('takes one uplink URL per replica of the parent, in order', () => {
    const config = NodeConfig.parse({
      ...base,
      nodeToken: token,
      parentUplinkUrls: 'ws://10.0.0.1:4000/uplink, ws://10.0.0.2:4000/uplink',
    });
    expect(config.parentUplinkUrls).toEqual(['ws://10.0.0.1:4000/uplink', 'ws://10.0.0.2:4000/uplink']);
  });

  it('refuses a URL named twice, a non-WebSocket URL, and uplinks without NODE_TOKEN', () => {
    expect(
      issues({ nodeToken: token, parentUplinkUrls: 'ws://10.0.0.1:4000/uplink,ws://10.0.0.1:4000/uplink' }),
    ).toEqual(['parentUplinkUrls: PARENT_UPLINK_URL: each URL once']);
    expect(issues({ nodeToken: token, parentUplinkUrls: 'http://10.0.0.1:4000/uplink' })).toEqual([
      'parentUplinkUrls.0: PARENT_UPLINK_URL: ws(s)://host:port/uplink',
    ]);
    expect(issues({ parentUplinkUrls: 'ws://10.0.0.1:4000/uplink' })).toEqual([
      'nodeToken: PARENT_UPLINK_URL needs NODE_TOKEN',
    ]);
  });
});

describe('DEVICE_AUTH', () => {
  it('refuses anonymous devices on the embedded broker unless told otherwise', () => {
    expect(loadNodeConfig({ NODE_ID: 'probe-1' }).deviceAuth).toBe('required');
    expect(loadNodeConfig({ NODE_ID: 'probe-1', DEVICE_AUTH: 'off' }).deviceAuth).toBe('off');
  });

  it('leaves device logins to an external broker (MQTT_URL), and refuses to claim it enforces them', () => {
    expect(loadNodeConfig({ NODE_ID: 'probe-1', MQTT_URL: 'mqtt://127.0.0.1:1883' }).deviceAuth).toBe('off');
    expect(issues({ mqttUrl: 'mqtt://127.0.0.1:1883', deviceAuth: 'required' })?.[0]).toMatch(/^deviceAuth:/);
  });
});
