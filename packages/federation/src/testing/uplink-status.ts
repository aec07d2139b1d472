import type { Uplink, UplinkStatus } from '../links/uplink-client.ts';

/** Resolves with the uplink's status once `test` holds for it (at once if it does now). */
export function statusMatching(uplink: Uplink, test: (s: UplinkStatus) => boolean): Promise<UplinkStatus> {
  if (test(uplink.status())) return Promise.resolve(uplink.status());
  return new Promise((resolve) => {
    const off = uplink.onStatus((s) => {
      if (!test(s)) return;
      off();
      resolve(s);
    });
  });
}
