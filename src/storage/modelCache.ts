/**
 * hub.ts's BlobCache on IndexedDB: finished downloads and partial ones (for resuming
 * with Range after a cancel, a dropped connection or a reload) survive the page, so a
 * second load of the same repo is answered offline.
 */
import type { BlobCache } from '../core/io/hub';
import { blobBytes, type CachedBlobRecord, type HubRef, type ModelDb } from './modelDb';

function record(key: string, bytes: Uint8Array): CachedBlobRecord {
  // new Blob copies the bytes: hub.ts may hand over a view of a buffer that keeps growing.
  return { key, blob: new Blob([bytes as BlobPart]), size: bytes.length, savedAt: Date.now() };
}

export class DexieBlobCache implements BlobCache {
  constructor(private readonly db: ModelDb) {}

  async get(key: string): Promise<Uint8Array | null> {
    const hit = await this.db.blobs.get(key);
    return hit ? blobBytes(hit.blob) : null;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.db.blobs.put(record(key, bytes));
  }

  async getPartial(key: string): Promise<Uint8Array | null> {
    const hit = await this.db.partials.get(key);
    return hit ? blobBytes(hit.blob) : null;
  }

  async putPartial(key: string, bytes: Uint8Array): Promise<void> {
    await this.db.partials.put(record(key, bytes));
  }

  async deletePartial(key: string): Promise<void> {
    await this.db.partials.delete(key);
  }

  /** Bytes of a repo's partial downloads: what a new attempt resumes from. */
  async partialBytes(ref: HubRef): Promise<number> {
    const rows = await this.db.partials.where('key').startsWith(filePrefix(ref)).toArray();
    return rows.reduce((sum, r) => sum + r.size, 0);
  }

  /** Forgets a repo: its finished files, its partial ones and the manifest that makes it load offline. */
  async deleteRepo(ref: HubRef): Promise<void> {
    const prefix = filePrefix(ref);
    await this.db.transaction('rw', this.db.blobs, this.db.partials, async () => {
      await this.db.blobs.where('key').startsWith(prefix).delete();
      await this.db.partials.where('key').startsWith(prefix).delete();
      await this.db.blobs.delete(manifestKey(ref));
    });
  }

  /** Total bytes held (finished and partial). */
  async totalBytes(): Promise<number> {
    let sum = 0;
    await this.db.blobs.each((r) => void (sum += r.size));
    await this.db.partials.each((r) => void (sum += r.size));
    return sum;
  }
}

/**
 * hub.ts names files `${endpoint}/${repo}/resolve/${revision}/${file}` and the finished
 * folder `hub-manifest:${endpoint}/${repo}@${revision}`; modelCache.test.ts downloads a
 * repo through hub.ts and deletes it here, so a change there fails a test here.
 */
function filePrefix(ref: HubRef): string {
  return `${ref.endpoint}/${ref.repo}/resolve/${encodeURIComponent(ref.revision)}/`;
}

function manifestKey(ref: HubRef): string {
  return `hub-manifest:${ref.endpoint}/${ref.repo}@${ref.revision}`;
}
