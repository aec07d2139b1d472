import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHeartbeat } from './heartbeat.ts';
import { createInMemoryNodeService, generateDevices } from '../testing/in-memory-node-service.ts';
import { createInProcessChildLink } from '../testing/in-process-link.ts';
import { remoteOfClient } from '../query/node-calls.ts';

function probe(id: string) {
  const { service, controls } = createInMemoryNodeService(id, {
    devices: generateDevices(id, 3, 1),
    events: [],
  });
  return { link: createInProcessChildLink(id, service), controls };
}

describe('heartbeat', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps an answering child up and records its info', async () => {
    const a = probe('a');
    const heartbeat = createHeartbeat([a.link]);
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(5000);
    heartbeat.stop();
    const [health] = heartbeat.health();
    expect(health).toMatchObject({ id: 'a', state: 'up', lastError: null });
    expect(health?.info?.devices.total).toBe(3);
    expect(heartbeat.isDown('a')).toBe(false);
  });

  it('pings a child between info refreshes, asking for its full info only every 2 s', async () => {
    const { service } = createInMemoryNodeService('a', { devices: generateDevices('a', 3, 1), events: [] });
    const infoCalls = vi.spyOn(service.node, 'info');
    const heartbeat = createHeartbeat([createInProcessChildLink('a', service)]);
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(10_000);
    heartbeat.stop();
    // ~20 beats in 10 s at 500 ms; the info is due at the first beat and then every 2 s.
    expect(infoCalls.mock.calls.length).toBeGreaterThanOrEqual(5);
    expect(infoCalls.mock.calls.length).toBeLessThanOrEqual(7);
    expect(heartbeat.isDown('a')).toBe(false);
  });

  it('marks a stalled child down after about 2 s and keeps its last-known-good info with its age', async () => {
    const a = probe('a');
    const heartbeat = createHeartbeat([a.link]);
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(1000);
    a.controls.stalled = true;
    const stalledAt = Date.now();
    let downAfter = 0;
    for (let t = 0; t < 4000 && !heartbeat.isDown('a'); t += 100) {
      await vi.advanceTimersByTimeAsync(100);
      downAfter = Date.now() - stalledAt;
    }
    heartbeat.stop();
    a.controls.release();
    expect(downAfter).toBeGreaterThanOrEqual(1500);
    expect(downAfter).toBeLessThanOrEqual(3000);
    const [health] = heartbeat.health();
    expect(health?.state).toBe('down');
    expect(health?.info?.id).toBe('a');
    expect(health?.ageMs).toBeGreaterThan(2000);
    expect(health?.lastError).toMatch(/^timeout/);
  });

  it('brings a child back up at its first answer', async () => {
    const a = probe('a');
    a.controls.failWith = new Error('boom');
    const heartbeat = createHeartbeat([a.link]);
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(heartbeat.isDown('a')).toBe(true);
    a.controls.failWith = null;
    await vi.advanceTimersByTimeAsync(1000);
    heartbeat.stop();
    expect(heartbeat.isDown('a')).toBe(false);
  });

  it('counts a child that never answered as down 2 s after start, not before', async () => {
    const a = probe('a');
    a.controls.stalled = true;
    const heartbeat = createHeartbeat([a.link]);
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(1900);
    expect(heartbeat.isDown('a')).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(heartbeat.isDown('a')).toBe(true);
    heartbeat.stop();
    a.controls.release();
    expect(heartbeat.health()[0]).toMatchObject({ lastHeartbeatAt: null, ageMs: null, info: null });
  });

  it('keeps a child up while it answers a long call, though it misses its beats', async () => {
    const a = probe('a');
    const heartbeat = createHeartbeat([a.link]);
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(1000);
    // Busy as a PGlite node storing a batch: nothing answers until the long call does.
    a.controls.stalled = true;
    const longCall = remoteOfClient(a.link.client).calls.devices.count(
      {},
      { signal: new AbortController().signal },
    );
    await vi.advanceTimersByTimeAsync(5000);
    expect(heartbeat.health()[0]?.lastError).toMatch(/^timeout/);
    expect(heartbeat.isDown('a')).toBe(false);
    a.controls.release();
    await longCall;
    expect(heartbeat.isDown('a')).toBe(false);
    heartbeat.stop();
  });

  it('counts an answer to any call as life while the beats time out', async () => {
    const a = probe('a');
    // Every answer takes longer than a beat's 400 ms deadline.
    a.controls.delayMs = 600;
    const heartbeat = createHeartbeat([a.link]);
    heartbeat.start();
    const remote = remoteOfClient(a.link.client);
    for (let round = 0; round < 5; round++) {
      const call = remote.calls.devices.count({}, { signal: new AbortController().signal });
      await vi.advanceTimersByTimeAsync(600);
      await call;
      // Nothing in flight now: the last answer alone keeps the child up.
      await vi.advanceTimersByTimeAsync(900);
      expect(heartbeat.isDown('a')).toBe(false);
    }
    expect(heartbeat.health()[0]).toMatchObject({ state: 'up', lastHeartbeatAt: null });
    heartbeat.stop();
  });

  it('marks a child down that stops answering though calls to it are still in flight', async () => {
    const a = probe('a');
    const heartbeat = createHeartbeat([a.link]);
    heartbeat.start();
    await vi.advanceTimersByTimeAsync(1000);
    a.controls.stalled = true;
    void remoteOfClient(a.link.client).calls.devices.count({}, { signal: new AbortController().signal });
    await vi.advanceTimersByTimeAsync(12_000);
    expect(heartbeat.isDown('a')).toBe(true);
    heartbeat.stop();
    a.controls.release();
  });
});
