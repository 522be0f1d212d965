/**
 * Says when the page works with no network: once the service worker (public/sw.js) has
 * cached the whole studio, the starter model and the samples. Production builds only.
 */
import { useEffect, useState } from 'react';

/** Registers the service worker of a production build; a browser that refuses it just works online. */
export function registerOfflineWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  void navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`).catch(() => undefined);
}

export function OfflineStatus() {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
    let live = true;
    void navigator.serviceWorker.ready.then(() => live && setReady(true));
    return () => {
      live = false;
    };
  }, []);
  if (!ready) return null;
  return (
    <span className="offline-ready" role="status" aria-label="Offline" title="The studio, the starter model and the samples are kept in this browser: the page opens and trains with no network.">
      Works offline
    </span>
  );
}
