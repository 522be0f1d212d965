/**
 * A Hub behind a `fetch` function, for tests of the code around hub.ts: repos as
 * ModelFiles, HEAD and Range answered as the Hub does, an unknown repo answered with
 * RepoNotFound, and files that drop their connection halfway on the first GET.
 */
import type { ModelFiles } from '../core/types';

export interface FakeHubRequest {
  method: string;
  file: string;
  repo: string;
  range: string | null;
}

export interface FakeHub {
  fetch: typeof fetch;
  log: FakeHubRequest[];
  /** GETs of weight files (what a declined or cached download must not do). */
  weightGets(): FakeHubRequest[];
}

export const FAKE_ENDPOINT = 'https://hub.test';

function respond(status: number, body: BodyInit | null, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers });
}

/** A body that sends the first half of `bytes`, then fails as a dropped connection does. */
function droppingBody(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(bytes.slice(0, Math.floor(bytes.length / 2)));
      } else controller.error(new TypeError('network connection lost'));
    },
  });
}

export function fakeHub(repos: Record<string, ModelFiles>, opts: { dropOnce?: string[] } = {}): FakeHub {
  const log: FakeHubRequest[] = [];
  const dropped = new Set<string>();
  const fetchFn = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = (init?.method ?? 'GET').toUpperCase();
    const headers = new Headers(init?.headers);
    const m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(decodeURIComponent(url.pathname));
    if (!m) return respond(404, 'not found');
    const [, repo, , file] = m;
    log.push({ method, file, repo, range: headers.get('range') });
    const files = repos[repo];
    if (!files) return respond(401, null, { 'x-error-code': 'RepoNotFound' });
    const bytes = files[file];
    if (!bytes) return respond(404, 'Entry not found', { 'x-error-code': 'EntryNotFound' });
    const size = String(bytes.length);
    if (method === 'HEAD') return respond(200, null, { 'content-length': size });
    const range = /^bytes=(\d+)-$/.exec(headers.get('range') ?? '');
    if (range) {
      const start = Number(range[1]);
      if (start >= bytes.length) return respond(416, null, { 'content-range': `bytes */${size}` });
      return respond(206, bytes.slice(start), { 'content-range': `bytes ${start}-${bytes.length - 1}/${size}`, 'content-length': String(bytes.length - start) });
    }
    const key = `${repo}/${file}`;
    if (opts.dropOnce?.includes(file) && !dropped.has(key)) {
      dropped.add(key);
      return respond(200, droppingBody(bytes), { 'content-length': size });
    }
    return respond(200, bytes.slice(), { 'content-length': size });
  };
  return {
    fetch: fetchFn as typeof fetch,
    log,
    weightGets: () => log.filter((r) => r.method === 'GET' && r.file.endsWith('.safetensors')),
  };
}
