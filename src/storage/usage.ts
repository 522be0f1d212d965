/** How much of the browser's storage the studio uses (navigator.storage.estimate). */
export interface StorageUsage {
  usage: number;
  quota: number;
}

export async function storageUsage(): Promise<StorageUsage | null> {
  const storage = (globalThis as { navigator?: Navigator }).navigator?.storage;
  if (!storage?.estimate) return null;
  const { usage = 0, quota = 0 } = await storage.estimate();
  return { usage, quota };
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
