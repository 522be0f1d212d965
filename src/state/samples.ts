/** Sample datasets shipped with the app (public/samples/index.json), imported like an upload. */
export interface SampleEntry {
  id: string;
  name: string;
  task: 'lm' | 'classify';
  /** File URL relative to the app, e.g. "samples/spam.csv". */
  file: string;
  description: string;
}

function appUrl(path: string): string {
  return new URL(path, new URL(import.meta.env.BASE_URL, location.href)).href;
}

export async function fetchSampleManifest(): Promise<SampleEntry[]> {
  const res = await fetch(appUrl('samples/index.json'), { cache: 'no-cache' });
  if (!res.ok || (res.headers.get('content-type') ?? '').includes('text/html')) return [];
  const list: unknown = await res.json();
  return Array.isArray(list) ? list.filter((e): e is SampleEntry => typeof e?.id === 'string' && typeof e?.file === 'string' && typeof e?.name === 'string') : [];
}

/** The sample as a File, so it takes the same import path (worker, checks, one transaction) as an upload. */
export async function fetchSampleFile(entry: SampleEntry): Promise<File> {
  const res = await fetch(appUrl(entry.file));
  if (!res.ok) throw new Error(`Could not download the sample "${entry.name}" (HTTP ${res.status}).`);
  const name = entry.file.split('/').pop() ?? `${entry.id}.txt`;
  return new File([await res.blob()], name);
}
