/**
 * The studio's service worker: it makes the page work with no network at all.
 * On install it caches every file of the build (`precache.json`, written by vite.config.ts):
 * the page, its workers and wasm binaries, the starter model and the samples. Pages are
 * fetched from the network first (a new version shows when there is one) and from the cache
 * when offline; everything else comes from the cache first. Only this origin's GET and HEAD
 * requests are handled: Hub downloads and the like go to the network as before.
 */
const PREFIX = 'studio-';
const scope = new URL(self.registration.scope);

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const response = await fetch(new URL('precache.json', scope), { cache: 'no-store' });
      if (!response.ok) throw new Error(`precache.json: HTTP ${response.status}`);
      const { version, files } = await response.json();
      const name = PREFIX + version;
      const cache = await caches.open(name);
      await cache.addAll(['./', ...files].map((f) => new Request(new URL(f, scope), { cache: 'reload' })));
      // This version takes over at once; an earlier version's files are not needed again.
      for (const key of await caches.keys()) if (key.startsWith(PREFIX) && key !== name) await caches.delete(key);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  // Pages open before the install (the first visit) are served from the cache from now on too.
  event.waitUntil(self.clients.claim());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== scope.origin || (request.method !== 'GET' && request.method !== 'HEAD')) return;
  if (request.method === 'HEAD') {
    // A file's size (the starter model's weights, shown beside it), from the cached copy when there is one.
    event.respondWith(
      (async () => {
        const hit = await caches.match(url.href, { ignoreSearch: true, ignoreVary: true });
        if (!hit) return fetch(request);
        const headers = new Headers(hit.headers);
        // A compressed response was stored without its length: the length of its content, then.
        if (!headers.has('content-length')) headers.set('content-length', String((await hit.blob()).size));
        return new Response(null, { status: hit.status, headers });
      })(),
    );
    return;
  }
  if (request.mode === 'navigate') {
    event.respondWith(
      fetch(request).catch(async () => (await caches.match(request, { ignoreSearch: true, ignoreVary: true })) ?? (await caches.match(new URL('./', scope).href, { ignoreVary: true })) ?? Response.error()),
    );
    return;
  }
  event.respondWith((async () => (await caches.match(request, { ignoreSearch: true, ignoreVary: true })) ?? fetch(request))());
});
