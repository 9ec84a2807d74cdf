// The authenticator's service worker: a push carries only an opaque request handle; the
// notification opens the app on that request, which fetches the details over HTTPS.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let rid = '';
  try {
    const data = event.data ? event.data.json() : {};
    if (data && typeof data.rid === 'string') rid = data.rid;
  } catch {
    // A push we cannot read still shows a notification (user-visible-only subscriptions must).
  }
  event.waitUntil((async () => {
    await self.registration.showNotification('Approval requested', {
      body: 'Open to review the request.',
      tag: rid || 'openciba',
      data: { rid },
      requireInteraction: true,
    });
    for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage({ type: 'ciba', rid });
  })());
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const rid = event.notification.data && event.notification.data.rid;
  const target = new URL(rid ? `./#r/${rid}` : './', self.registration.scope).href;
  event.waitUntil((async () => {
    for (const client of await self.clients.matchAll({ type: 'window' })) {
      if ('focus' in client) {
        await client.navigate(target);
        return client.focus();
      }
    }
    return self.clients.openWindow(target);
  })());
});
