/**
 * A small stand-in for the Hugging Face Hub, for the browser tests: serves model folders
 * from disk under /<org>/<name>/resolve/<revision>/<file> as the Hub does (HEAD with the
 * size, Range requests answered 206, RepoNotFound for an unknown repo), with CORS so the
 * cross-origin-isolated page may read it, and weights streamed slowly so progress shows.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface HubRequest {
  method: string;
  repo: string;
  file: string;
  range: string | null;
}

export interface HubServer {
  endpoint: string;
  requests: HubRequest[];
  /** GET requests for weight files (what a declined download must not make). */
  weightGets(): HubRequest[];
  close(): Promise<void>;
}

export interface HubServerOptions {
  /** Weights go out in chunks of this many bytes... */
  chunkBytes?: number;
  /** ...one every this many milliseconds (0: all at once). */
  chunkDelayMs?: number;
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Range',
  'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
  'Access-Control-Expose-Headers': 'Content-Length, Content-Range, Accept-Ranges, X-Error-Code, X-Linked-Size',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

function streamSlowly(res: ServerResponse, bytes: Buffer, chunk: number, delay: number): void {
  let at = 0;
  const next = () => {
    if (res.destroyed) return;
    const end = Math.min(bytes.length, at + chunk);
    res.write(bytes.subarray(at, end));
    at = end;
    if (at >= bytes.length) res.end();
    else setTimeout(next, delay);
  };
  next();
}

/** `repos` maps "org/name" to a folder on disk. */
export async function startHubServer(repos: Record<string, string>, opts: HubServerOptions = {}): Promise<HubServer> {
  const requests: HubRequest[] = [];
  const chunk = opts.chunkBytes ?? 16 * 1024;
  const delay = opts.chunkDelayMs ?? 0;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'OPTIONS') return void res.writeHead(204, CORS).end();
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://hub').pathname);
    const m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/([^/]+)$/.exec(path);
    if (!m) return void res.writeHead(404, CORS).end('not found');
    const [, repo, , file] = m;
    const range = req.headers.range ?? null;
    requests.push({ method: req.method ?? 'GET', repo, file, range });
    const dir = repos[repo];
    if (!dir) return void res.writeHead(404, { ...CORS, 'X-Error-Code': 'RepoNotFound' }).end('Repository not found');
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(dir, file));
    } catch {
      return void res.writeHead(404, { ...CORS, 'X-Error-Code': 'EntryNotFound' }).end('Entry not found');
    }
    const headers = { ...CORS, 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream' };
    if (req.method === 'HEAD') return void res.writeHead(200, { ...headers, 'Content-Length': bytes.length }).end();
    const r = /^bytes=(\d+)-$/.exec(range ?? '');
    let body = bytes;
    if (r) {
      const start = Number(r[1]);
      if (start >= bytes.length) return void res.writeHead(416, { ...headers, 'Content-Range': `bytes */${bytes.length}` }).end();
      body = bytes.subarray(start);
      res.writeHead(206, { ...headers, 'Content-Length': body.length, 'Content-Range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` });
    } else {
      res.writeHead(200, { ...headers, 'Content-Length': body.length });
    }
    if (delay > 0 && file.endsWith('.safetensors')) streamSlowly(res, body, chunk, delay);
    else res.end(body);
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    weightGets: () => requests.filter((r) => r.method === 'GET' && r.file.endsWith('.safetensors')),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
