import { afterEach, describe, expect, it, vi } from 'vitest';
import { storageUsage } from './usage';

afterEach(() => vi.unstubAllGlobals());

const withEstimate = (estimate: object) => vi.stubGlobal('navigator', { storage: { estimate: async () => estimate } });

describe('storageUsage()', () => {
  it("says how much of the usage is the studio's offline copy, where the browser breaks it down", async () => {
    withEstimate({ usage: 38e6, quota: 4.3e9, usageDetails: { indexedDB: 11e6, caches: 26.9e6, serviceWorkerRegistrations: 0.1e6 } });
    expect(await storageUsage()).toEqual({ usage: 38e6, quota: 4.3e9, offline: 27e6 });
  });

  it('gives the total alone where it does not, or where nothing is cached', async () => {
    withEstimate({ usage: 12e3, quota: 4.3e9 });
    expect(await storageUsage()).toEqual({ usage: 12e3, quota: 4.3e9 });
    withEstimate({ usage: 12e3, quota: 4.3e9, usageDetails: { indexedDB: 12e3 } });
    expect(await storageUsage()).toEqual({ usage: 12e3, quota: 4.3e9 });
    vi.stubGlobal('navigator', {});
    expect(await storageUsage()).toBeNull();
  });
});
