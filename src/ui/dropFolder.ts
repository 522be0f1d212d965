/**
 * Files out of a drop, folders walked: DataTransferItem.webkitGetAsEntry gives the dropped
 * folder's entries (a plain `dataTransfer.files` lists a folder as one useless File).
 */
import type { UploadedFile } from '../workers/modelJob';

function readBatch(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function walk(entry: FileSystemEntry, prefix: string, out: UploadedFile[]): Promise<void> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    out.push({ path, file: await fileOf(entry as FileSystemFileEntry) });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries hands out at most ~100 entries per call; read until it returns none.
  for (let batch = await readBatch(reader); batch.length; batch = await readBatch(reader)) {
    for (const child of batch) await walk(child, path, out);
  }
}

/**
 * Must be called inside the drop handler: the DataTransfer empties once the event is
 * over, so the entries are taken synchronously and walked afterwards.
 */
export function filesFromDrop(dt: DataTransfer): Promise<UploadedFile[]> {
  const items = [...dt.items].filter((i) => i.kind === 'file');
  const entries = items.map((i) => i.webkitGetAsEntry?.() ?? null);
  const files = items.map((i) => i.getAsFile());
  return (async () => {
    const out: UploadedFile[] = [];
    for (const [i, entry] of entries.entries()) {
      const file = files[i];
      if (entry) await walk(entry, '', out);
      else if (file) out.push({ path: file.name, file });
    }
    return out;
  })();
}

/** Files from an <input type="file">: folder picks carry their path in webkitRelativePath. */
export function filesFromInput(list: FileList | null): UploadedFile[] {
  return [...(list ?? [])].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
}
