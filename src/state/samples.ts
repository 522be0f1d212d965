/** Sample datasets shipped with the app (public/samples/index.json), imported like an upload. */
import type { Hyperparams } from '../core/types';
import { formatLearningRate } from './hyperparams';

/** Training settings a sample needs beyond the defaults, and why (written by scripts/make-samples.ts with the figures that chose them). */
export interface SampleSettings {
  hyperparams: Partial<Pick<Hyperparams, 'epochs' | 'learningRate'>>;
  reason: string;
}

export interface SampleEntry {
  id: string;
  name: string;
  task: 'lm' | 'classify';
  /** File URL relative to the app, e.g. "samples/spam.csv". */
  file: string;
  description: string;
  settings?: SampleSettings;
}

/** The settings as shipped, or none when they are not the shape the studio knows (an old or hand-edited index). */
function sampleSettings(x: unknown): SampleSettings | undefined {
  const s = x as { hyperparams?: Record<string, unknown>; reason?: unknown } | undefined;
  if (!s || typeof s.reason !== 'string' || typeof s.hyperparams !== 'object' || s.hyperparams === null) return undefined;
  const { epochs, learningRate } = s.hyperparams;
  const hyperparams: SampleSettings['hyperparams'] = {};
  if (Number.isInteger(epochs) && (epochs as number) > 0) hyperparams.epochs = epochs as number;
  if (typeof learningRate === 'number' && learningRate > 0 && learningRate < 1) hyperparams.learningRate = learningRate;
  return Object.keys(hyperparams).length ? { hyperparams, reason: s.reason } : undefined;
}

function appUrl(path: string): string {
  return new URL(path, new URL(import.meta.env.BASE_URL, location.href)).href;
}

export async function fetchSampleManifest(): Promise<SampleEntry[]> {
  const res = await fetch(appUrl('samples/index.json'), { cache: 'no-cache' });
  if (!res.ok || (res.headers.get('content-type') ?? '').includes('text/html')) return [];
  return sampleManifest(await res.json());
}

/** The manifest's entries the studio can use; settings it does not know are left out, not trusted. */
export function sampleManifest(list: unknown): SampleEntry[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter((e): e is SampleEntry => typeof e?.id === 'string' && typeof e?.file === 'string' && typeof e?.name === 'string')
    .map(({ settings, ...e }) => {
      const checked = sampleSettings(settings);
      return checked ? { ...e, settings: checked } : e;
    });
}

/** The sample as a File, so it takes the same import path (worker, checks, one transaction) as an upload. */
export async function fetchSampleFile(entry: SampleEntry): Promise<File> {
  const res = await fetch(appUrl(entry.file));
  if (!res.ok) throw new Error(`Could not download the sample "${entry.name}" (HTTP ${res.status}).`);
  const name = entry.file.split('/').pop() ?? `${entry.id}.txt`;
  return new File([await res.blob()], name);
}

/** A sample's settings while they hold: which dataset they came with and what they replaced. */
export interface SampleSettingsInForce {
  datasetId: number;
  sample: string;
  applied: SampleSettings['hyperparams'];
  previous: Partial<Hyperparams>;
  reason: string;
}

type SampleKey = keyof SampleSettings['hyperparams'];
const keysOf = (applied: SampleSettings['hyperparams']) => Object.keys(applied) as SampleKey[];

/** Every value the sample set is still the one in the settings (moving its slider ends that). */
export function stillInForce(s: SampleSettingsInForce, hp: Hyperparams): boolean {
  return keysOf(s.applied).every((k) => hp[k] === s.applied[k]);
}

/** A sample's settings over `hp`, with what they replace, to take back later. */
export function applySample(hp: Hyperparams, datasetId: number, sample: string, settings: SampleSettings): { hyperparams: Hyperparams; inForce: SampleSettingsInForce } {
  const applied = settings.hyperparams;
  const previous = Object.fromEntries(keysOf(applied).map((k) => [k, hp[k]])) as Partial<Hyperparams>;
  return { hyperparams: { ...hp, ...applied }, inForce: { datasetId, sample, applied, previous, reason: settings.reason } };
}

/** The settings with a sample's values taken back, each only where the person has not changed it since. */
export function withoutSample(hp: Hyperparams, s: SampleSettingsInForce): Hyperparams {
  const out = { ...hp };
  for (const k of keysOf(s.applied)) if (hp[k] === s.applied[k] && s.previous[k] !== undefined) out[k] = s.previous[k]!;
  return out;
}

/** "10 epochs, learning rate 1e-3": what a sample sets (or what it replaced), as the sliders read. */
export function describeSampleValues(values: Partial<Pick<Hyperparams, 'epochs' | 'learningRate'>>): string {
  const parts: string[] = [];
  if (values.epochs !== undefined) parts.push(`${values.epochs} epoch${values.epochs === 1 ? '' : 's'}`);
  if (values.learningRate !== undefined) parts.push(`learning rate ${formatLearningRate(values.learningRate)}`);
  return parts.join(', ');
}
