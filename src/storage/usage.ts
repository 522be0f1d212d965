/** How much of the browser's storage the studio uses (navigator.storage.estimate). */
export interface StorageUsage {
  usage: number;
  quota: number;
  /** Of `usage`, the service worker's offline copy of the studio (Cache Storage), where the browser says (Chromium's usageDetails). */
  offline?: number;
}

export async function storageUsage(): Promise<StorageUsage | null> {
  const storage = (globalThis as { navigator?: Navigator }).navigator?.storage;
  if (!storage?.estimate) return null;
  const estimate: StorageEstimate & { usageDetails?: Record<string, number> } = await storage.estimate();
  const { usage = 0, quota = 0, usageDetails } = estimate;
  const offline = usageDetails ? (usageDetails.caches ?? 0) + (usageDetails.serviceWorkerRegistrations ?? 0) : 0;
  return offline > 0 ? { usage, quota, offline } : { usage, quota };
}

/** Ask the browser not to evict the studio's data under storage pressure. */
export async function requestPersistence(): Promise<boolean> {
  const storage = (globalThis as { navigator?: Navigator }).navigator?.storage;
  if (!storage?.persist) return false;
  try {
    return (await storage.persisted()) || (await storage.persist());
  } catch {
    return false;
  }
}
