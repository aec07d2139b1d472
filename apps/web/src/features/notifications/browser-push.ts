// This browser's Web Push subscription: made with the BFF's VAPID public key through the console's
// service worker (which shows the pushes, public/push-handler.js), handed to the BFF to push to.

/** Why this browser cannot take pushes, or undefined when it can. */
export function pushUnsupportedReason(): string | undefined {
  if (!('serviceWorker' in navigator) || !('PushManager' in window))
    return 'This browser does not support push notifications.';
  if (!window.isSecureContext) return 'Push notifications need the console over https.';
  return undefined;
}

/** The browser's current subscription, if it has one. */
export async function currentPushSubscription(): Promise<PushSubscription | null> {
  const registration = await navigator.serviceWorker.ready;
  return registration.pushManager.getSubscription();
}

/**
 * Asks the user's permission and subscribes this browser with `publicKey` (base64url); the answer
 * is what the BFF stores: the endpoint and the keys the pushes are encrypted to.
 */
export async function subscribeThisBrowser(
  publicKey: string,
): Promise<{ endpoint: string; keys: { p256dh: string; auth: string } }> {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted')
    throw new Error('Notifications are blocked for this site: allow them in the browser’s settings.');
  const registration = await navigator.serviceWorker.ready;
  const subscription = await withPlainPushErrors(
    registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: base64UrlBytes(publicKey),
    }),
  );
  const { endpoint, keys } = subscription.toJSON();
  if (!endpoint || !keys?.p256dh || !keys.auth)
    throw new Error('The browser gave an incomplete push subscription.');
  return { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } };
}

/** How long the browser may take to register with its push service before the user is told. */
const PUSH_SERVICE_WAIT_MS = 20_000;

/**
 * The subscription, or an error that says plainly what stands in the way: the browser registers
 * with its vendor's push service (Google's for Chrome, Mozilla's for Firefox), and where that
 * service cannot be reached it fails with a terse AbortError or never answers.
 */
async function withPlainPushErrors(subscribing: Promise<PushSubscription>): Promise<PushSubscription> {
  const unreachable = (detail: string) =>
    new Error(
      `This browser cannot reach its push service (${detail}), so alerts cannot be pushed to it from here. ` +
        'A network that blocks the push service, or a browser without one, keeps pushes away; email still works.',
    );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(unreachable(`no answer in ${PUSH_SERVICE_WAIT_MS / 1000} s`)),
      PUSH_SERVICE_WAIT_MS,
    );
  });
  try {
    return await Promise.race([subscribing, timeout]);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'NotAllowedError')
      throw new Error('Notifications are blocked for this site: allow them in the browser’s settings.');
    if (error instanceof DOMException) throw unreachable(error.message || error.name);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function base64UrlBytes(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replaceAll('-', '+').replaceAll('_', '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}
