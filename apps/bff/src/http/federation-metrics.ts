import { Gauge, type Registry } from 'prom-client';
import type { Heartbeat } from '@tierscope/federation';

/** Each child's liveness as the heartbeat sees it, read at scrape time. */
export function registerFederationMetrics(registry: Registry, heartbeat: Heartbeat): void {
  new Gauge({
    name: 'tierscope_child_heartbeat_age_seconds',
    help: "Age of the child's last good heartbeat answer (absent before the first)",
    labelNames: ['child'],
    registers: [registry],
    collect() {
      this.reset();
      for (const child of heartbeat.health())
        if (child.ageMs !== null) this.set({ child: child.id }, child.ageMs / 1000);
    },
  });
  new Gauge({
    name: 'tierscope_child_up',
    help: '1 while the child answers heartbeats, 0 once it missed them for ~2 s',
    labelNames: ['child'],
    registers: [registry],
    collect() {
      this.reset();
      for (const child of heartbeat.health()) this.set({ child: child.id }, child.state === 'up' ? 1 : 0);
    },
  });
}
