import { describe, expect, it } from 'vitest';
import type { Outcome } from './errors';
import { startWithRetry } from './workerHandle';

/** A fake worker whose backend start resolves (or never does) as told. */
function fakes(plan: ('hang' | 'ok' | 'fail')[]) {
  const disposed: number[] = [];
  let n = 0;
  const spawn = () => {
    const id = ++n;
    const how = plan[id - 1];
    const started = new Promise<Outcome<string>>((resolve) => {
      if (how === 'ok') setTimeout(() => resolve({ ok: true, value: `worker ${id}` }), 5);
      if (how === 'fail') setTimeout(() => resolve({ ok: false, error: { code: 'error', message: 'no backend' } }), 5);
    });
    return { handle: { id, dispose: () => disposed.push(id) }, started };
  };
  return { spawn, disposed, spawned: () => n };
}

describe('startWithRetry()', () => {
  it('keeps the first worker when its backend starts', async () => {
    const f = fakes(['ok']);
    const r = await startWithRetry(f.spawn, 'wasm', 200);
    expect(r.outcome).toEqual({ ok: true, value: 'worker 1' });
    expect(f.spawned()).toBe(1);
    expect(f.disposed).toEqual([]);
  });

  it('reports a start that fails at once without a second try', async () => {
    const f = fakes(['fail']);
    const r = await startWithRetry(f.spawn, 'wasm', 200);
    expect(r.outcome.ok).toBe(false);
    expect(f.spawned()).toBe(1);
  });

  it('ends a worker whose backend never answers and starts a fresh one', async () => {
    const f = fakes(['hang', 'ok']);
    const r = await startWithRetry(f.spawn, 'wasm', 50);
    expect(r.outcome).toEqual({ ok: true, value: 'worker 2' });
    expect(r.handle.id).toBe(2);
    expect(f.disposed).toEqual([1]);
  });

  it('says what happened and what to do after two silent starts', async () => {
    const f = fakes(['hang', 'hang', 'ok']);
    const r = await startWithRetry(f.spawn, 'webgpu', 50);
    expect(r.outcome).toEqual({ ok: false, error: { code: 'backend-timeout', message: 'The webgpu backend did not start within 0 s, twice in a fresh worker. Try again, or choose another backend.' } });
    expect(f.spawned()).toBe(2);
    expect(f.disposed).toEqual([1, 2]);
  });
});
