// The console's Web Push handling, loaded into the service worker Workbox generates
// (vite.config.ts, workbox.importScripts). A push carries one alert (packages/notify/src/web-push.ts):
// it is shown as a notification with an Ack action; acking calls the BFF as the signed-in user.

self.addEventListener('push', (event) => {
  const alert = event.data ? event.data.json() : null;
  if (!alert) return;
  const firing = alert.event === 'firing';
  event.waitUntil(
    self.registration.showNotification(alert.title, {
      body: alert.body,
      // One notification per alert: the resolve replaces the firing one.
      tag: alert.tag,
      renotify: firing,
      requireInteraction: firing && alert.severity === 'critical',
      data: { alertId: alert.alertId, nodePath: alert.nodePath, url: alert.url || '/alerts' },
      // A viewer may not ack: their notification only opens the console.
      actions: firing && alert.mayAck !== false ? [{ action: 'ack', title: 'Ack' }] : [],
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  const { alertId, nodePath, url } = event.notification.data || {};
  event.notification.close();
  event.waitUntil(event.action === 'ack' ? ackAlert(nodePath, alertId) : openConsole(url));
});

/** Acks as the browser's console session: its cookie goes along, the CSRF token comes from /auth/me. */
async function ackAlert(nodePath, id) {
  const me = await fetch('/auth/me', { credentials: 'same-origin' });
  if (me.status !== 200) return openConsole(`/login?redirect=${encodeURIComponent('/alerts')}`);
  const { csrfToken } = await me.json();
  const response = await fetch('/trpc/alerts.ack', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
    body: JSON.stringify({ nodePath, id, note: 'acked from a notification' }),
  });
  if (!response.ok) {
    await self.registration.showNotification('The alert was not acked', {
      body: `The console answered ${response.status}: open it to ack.`,
      tag: `ack-failed:${id}`,
      data: { url: '/alerts' },
    });
  }
}

async function openConsole(url) {
  const target = new URL(url || '/alerts', self.location.origin).href;
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((client) => client.url.startsWith(self.location.origin));
  if (open) {
    await open.focus();
    return open.navigate(target);
  }
  return self.clients.openWindow(target);
}
