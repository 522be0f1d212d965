/**
 * Parity of every fast path against the reference formulation, on whatever backend is
 * running: each case computes outputs and gradients twice, with the fast paths on and
 * off, and reports the largest difference relative to the reference's magnitude.
 * Shared by the Node tests (cpu, wasm) and the Chromium check (webgpu, webgl).
 * Shapes are deliberately ragged (not multiples of 4 or of the tile sizes).
 */
import { tf } from '../backend';
import { causalLmLoss } from '../train/losses';
import { AdamW } from '../train/adamw';
import { causalAttention, fusedAttentionAvailable, geluNew, layerNorm, linear, matMul, setFastPaths } from './ops';

export interface ParityResult {
  name: string;
  /** max |fast - ref| / max |ref| over every output and gradient of the case. */
  relErr: number;
  /** Which output or gradient had it. */
  worst: string;
  /** False when the backend has no fast path for this op (both runs were the reference). */
  fast: boolean;
}

type Outputs = Record<string, tf.Tensor>;

async function relErr(fast: Outputs, ref: Outputs): Promise<[number, string]> {
  let worst = 0;
  let where = '';
  for (const [k, r] of Object.entries(ref)) {
    const f = fast[k];
    if (!f) throw new Error(`parity: fast path lacks output ${k}`);
    if (f.shape.join() !== r.shape.join()) throw new Error(`parity: ${k} has shape [${f.shape}] on the fast path, [${r.shape}] on the reference`);
    const [d, m] = await Promise.all([tf.max(tf.abs(tf.sub(f, r))).data(), tf.max(tf.abs(r)).data()]);
    const e = d[0] / Math.max(m[0], 1e-6);
    if (!(e <= worst)) {
      worst = Number.isNaN(e) ? Infinity : e;
      where = k;
    }
  }
  return [worst, where];
}

/** Outputs of `f` and the gradients of sum(output * fixed weights) w.r.t. `xs`. */
function withGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], names: string[], seed: number): Outputs {
  const out = f(...xs);
  const w = tf.randomNormal(out.shape, 0, 1, 'float32', seed);
  const grads = tf.grads((...a: tf.Tensor[]) => f(...a).mul(w).sum())(xs);
  const res: Outputs = { out };
  grads.forEach((g, i) => (res[`d${names[i]}`] = g));
  return res;
}

const rnd = (shape: number[], seed: number, std = 1) => tf.randomNormal(shape, 0, std, 'float32', seed);

interface Case {
  name: string;
  /** Whether the running backend has a fast path for it. */
  fast: () => boolean;
  run: () => Outputs | Promise<Outputs>;
  /**
   * 'cpu': the fast path replaces a stock tfjs kernel (no switch turns it off), so the
   * reference is the same computation on the cpu backend.
   */
  reference?: 'cpu';
}

const onWebGPU = () => tf.getBackend() === 'webgpu';
/** Linear layers and 2-D matmuls have fast paths on webgpu and wasm. */
const onMatMulBackend = () => ['webgpu', 'wasm'].includes(tf.getBackend());
const onLinearBackend = () => ['webgpu', 'wasm', 'webgl'].includes(tf.getBackend());

function cases(): Case[] {
  const list: Case[] = [];
  for (const [N, I, O] of [
    [37, 20, 13],
    [64, 128, 384],
  ]) {
    list.push({
      name: `linear ${N}x${I}x${O}`,
      fast: onLinearBackend,
      run: () => withGrads((x, w, b) => linear(x as tf.Tensor2D, w as tf.Tensor2D, b), [rnd([N, I], 1), rnd([I, O], 2, 0.2), rnd([O], 3)], ['x', 'w', 'b'], 4),
    });
  }
  // Ragged sizes (scalar kernel), multiples of 4 off the tile grid (vec4 kernels), and
  // a vocabulary-like odd N with K % 4 (vec4 loads, scalar stores).
  for (const [M, Kd, N] of [
    [19, 33, 257],
    [20, 36, 44],
    [12, 64, 257],
  ]) {
    for (const [tA, tB] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const) {
      const tag = `${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} ${M}x${Kd}x${N}`;
      list.push({
        name: `matMul 2d ${tag}`,
        fast: onMatMulBackend,
        run: () => withGrads((a, b) => matMul(a, b, tA, tB), [rnd(tA ? [Kd, M] : [M, Kd], 5), rnd(tB ? [N, Kd] : [Kd, N], 6)], ['a', 'b'], 7),
      });
      list.push({
        name: `matMul batched ${tag}`,
        fast: onWebGPU,
        run: () => withGrads((a, b) => matMul(a, b, tA, tB), [rnd(tA ? [3, Kd, M] : [3, M, Kd], 8), rnd(tB ? [3, N, Kd] : [3, Kd, N], 9)], ['a', 'b'], 10),
      });
    }
  }
  list.push({
    name: 'matMul NT against a large operand (column blocks on wasm) 6x64x70001',
    fast: onMatMulBackend,
    run: () => withGrads((a, b) => matMul(a, b, false, true), [rnd([6, 64], 60), rnd([70001, 64], 61, 0.1)], ['a', 'b'], 62),
  });
  list.push({
    name: 'layerNorm [3, 7, 45]',
    fast: onMatMulBackend,
    run: () => withGrads((x, w, b) => layerNorm(x, w, b, 1e-5), [rnd([3, 7, 45], 11, 2).add(0.5), rnd([45], 12).add(1), rnd([45], 13)], ['x', 'w', 'b'], 14),
  });
  list.push({ name: 'gelu_new [5, 77]', fast: onMatMulBackend, run: () => withGrads((x) => geluNew(x), [rnd([5, 77], 15, 3)], ['x'], 16) });
  for (const padded of [false, true]) {
    const [B, T, H, hd] = [2, 9, 3, 8];
    list.push({
      name: `causal attention B${B} T${T} H${H} hd${hd}${padded ? ' with padding and a query that sees no key' : ''}`,
      fast: () => fusedAttentionAvailable(hd),
      run: () => {
        // Row 1: right padding (last 3 tokens), and key 0 padded so query 0 sees no key.
        const mask = padded ? tf.tensor2d([Array(T).fill(1), [0, ...Array(T - 4).fill(1), 0, 0, 0]]) : null;
        const f = (qkv: tf.Tensor) => (fusedAttentionAvailable(hd) ? causalAttention(qkv as tf.Tensor3D, mask, H, 1 / Math.sqrt(hd), 0, 1) : referenceAttention(qkv as tf.Tensor3D, mask, H));
        return withGrads(f, [rnd([B, T, 3 * H * hd], 17)], ['qkv'], 18);
      },
    });
  }
  list.push({
    name: 'causal LM loss [3, 6, 301] with ignored labels',
    fast: () => ['webgpu', 'wasm'].includes(tf.getBackend()),
    run: () => {
      const labels = tf.tensor2d(
        [
          [5, 7, 300, 0, 2, 9],
          [-100, -100, 4, 4, 250, -100],
          [1, 2, 3, 4, 5, 6],
        ],
        undefined,
        'int32',
      );
      return withGrads((l) => causalLmLoss(l as tf.Tensor3D, labels), [rnd([3, 6, 301], 19, 3)], ['logits'], 20);
    },
  });
  list.push({
    name: 'AdamW, 3 steps, decayed matrix and undecayed vector',
    fast: () => ['webgpu', 'webgl'].includes(tf.getBackend()),
    run: () => {
      const w = tf.variable(rnd([13, 7], 21));
      const b = tf.variable(rnd([7], 22));
      const opt = new AdamW(
        new Map([
          ['w', w],
          ['b', b],
        ]),
        { weightDecay: 0.1 },
      );
      for (let s = 0; s < 3; s++) {
        const g = new Map([
          ['w', rnd([13, 7], 30 + s)],
          ['b', rnd([7], 40 + s)],
        ]);
        opt.step(g, 1e-2);
        for (const t of g.values()) t.dispose();
      }
      opt.dispose();
      return { w, b };
    },
  });
  list.push({
    name: 'sum over inner axes (stock kernel replaced on webgpu)',
    fast: onWebGPU,
    reference: 'cpu',
    run: () => {
      const x = rnd([3, 5, 1111], 50);
      const big = rnd([2, 9000], 51);
      return { all: x.sum(), rows: x.sum(-1), keep: x.sum([1, 2], true), big: big.sum(-1), bigAll: big.sum(), outer: x.sum(0), middle: x.sum(1), outerTwo: x.sum([0, 1], true), gaps: x.sum([0, 2]) };
    },
  });
  list.push({
    name: 'embedding gradient (UnsortedSegmentSum replaced on cpu, wasm, webgpu, webgl)',
    fast: () => ['cpu', 'wasm', 'webgpu', 'webgl'].includes(tf.getBackend()),
    reference: 'cpu',
    run: () => {
      const table = rnd([23, 6], 52);
      const ids = tf.tensor1d([3, 0, 22, 3, 3, 7, 22, 1, 0], 'int32');
      return withGrads((t) => tf.gather(t, ids), [table], ['table'], 53);
    },
  });
  return list;
}

/** The reference attention of gpt2.ts, from the c_attn output to merged heads. */
export function referenceAttention(qkv: tf.Tensor3D, mask: tf.Tensor2D | null, H: number): tf.Tensor2D {
  const [B, T, threeD] = qkv.shape;
  const d = threeD / 3;
  const hd = d / H;
  const causal = tf.linalg.bandPart(tf.ones([T, T]), -1, 0).reshape([1, 1, T, T]);
  const allowed = mask ? causal.mul(mask.reshape([B, 1, 1, T])) : causal;
  const bias = allowed.sub(1).mul(1e9);
  const [q, k, v] = tf.unstack(qkv.reshape([B, T, 3, H, hd]).transpose([2, 0, 3, 1, 4]), 0);
  const probs = tf.softmax(tf.matMul(q, k, false, true).mul(1 / Math.sqrt(hd)).add(bias), -1);
  return tf.matMul(probs, v).transpose([0, 2, 1, 3]).reshape([B * T, d]) as tf.Tensor2D;
}

type Host = Record<string, { data: Float32Array | Int32Array | Uint8Array; shape: number[] }>;

async function toHost(o: Outputs): Promise<Host> {
  const entries = await Promise.all(Object.entries(o).map(async ([k, t]) => [k, { data: (await t.data()) as Float32Array, shape: t.shape }] as const));
  return Object.fromEntries(entries);
}

function fromHost(h: Host): Outputs {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]));
}

export async function runParity(filter?: (name: string) => boolean): Promise<ParityResult[]> {
  const results: ParityResult[] = [];
  for (const c of cases()) {
    if (filter && !filter(c.name)) continue;
    const fastAvailable = c.fast();
    tf.engine().startScope();
    try {
      setFastPaths(true);
      let fast = await c.run();
      let ref: Outputs;
      if (c.reference === 'cpu') {
        const here = tf.getBackend();
        const fastHost = await toHost(fast);
        await tf.setBackend('cpu');
        const refHost = await toHost(await c.run());
        await tf.setBackend(here);
        fast = fromHost(fastHost);
        ref = fromHost(refHost);
      } else {
        setFastPaths(false);
        ref = await c.run();
      }
      const [relErrV, worst] = await relErr(fast, ref);
      results.push({ name: c.name, relErr: relErrV, worst, fast: fastAvailable });
      // Variables (AdamW's parameters) outlive scopes.
      tf.dispose([...Object.values(fast), ...Object.values(ref)]);
    } finally {
      setFastPaths(true);
      tf.engine().endScope();
    }
  }
  return results;
}
