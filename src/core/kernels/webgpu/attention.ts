/**
 * Causal self-attention as three kernels (flash-attention style: the [T, T] score matrix
 * never exists in memory), reading q, k, v straight from the fused c_attn output and
 * writing the context in the layout c_proj consumes, so no head split/merge transposes.
 *
 *   qkv [B, T, 3, H, hd] (c_attn output), mask [B, T] (1 = real key) ->
 *   out [B, T, H, hd]:  out_i = sum_j P~_ij v_j,  P = softmax_j(scale q_i.k_j) over the
 *   keys j <= i with mask 1, P~ = P * dropout mask / (1 - rate).
 *
 * A query with no visible key reproduces the reference's float32 behaviour: its -1e9
 * biased scores all round to the same value, so it attends uniformly to all T keys.
 *
 * Backward: one pass for per-row log-sum-exp and D_i = dO_i . out_i, then one pass where
 * invocation r writes dq_r (looping over keys) and dk_r, dv_r (looping over queries) into
 * a single dqkv [B, T, 3, H, hd], the gradient of the c_attn output.
 *
 * Dropout masks come from a counter-based hash of (seed, b, h, i, j), so the backward
 * pass regenerates exactly the forward's mask without storing it.
 */
import type { tf } from '../../backend';
import { f32, i32, run, type WebGPUBackendLike } from './common';

export interface AttentionDims {
  B: number;
  T: number;
  H: number;
  hd: number;
}

export interface AttentionAttrs {
  scale: number;
  /** Dropout on the attention probabilities; 0 for none. */
  rate: number;
  seed: number;
}

const HASH = `
  fn pcg(x : u32) -> u32 {
    let s = x * 747796405u + 2891336453u;
    let w = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
    return (w >> 22u) ^ w;
  }
  // Keep-multiplier of element (row, j): 0 or 1 / (1 - rate).
  fn keepScale(rowMix : u32, j : i32) -> f32 {
    if (uniforms.rate <= 0.0) { return 1.0; }
    let u = f32(pcg(rowMix ^ (u32(j) * 2654435761u)) >> 8u) / 16777216.0;
    return select(0.0, 1.0 / (1.0 - uniforms.rate), u >= uniforms.rate);
  }
  fn rowMixOf(row : i32) -> u32 {
    return pcg(u32(uniforms.seed) ^ pcg(u32(row)));
  }`;

function dims(qkv: tf.TensorInfo, H: number): AttentionDims {
  const [B, T, threeD] = qkv.shape;
  const hd = threeD / 3 / H;
  if (!Number.isInteger(hd) || hd % 4 !== 0) throw new Error(`attention: width ${threeD} is not 3 x ${H} heads of a multiple of 4`);
  return { B, T, H, hd };
}

const UNIFORMS = 'scale : f32, rate : f32, seed : i32,';

// Head vectors are unrolled into hd/4 vec4 registers (SwiftShader keeps private arrays
// in memory and indexes them one lane at a time).
const lanes = (hd: number) => Array.from({ length: hd / 4 }, (_, j) => j);
const load4 = (arr: string, base: string, j: number) => `vec4<f32>(${arr}[${base} + ${4 * j}], ${arr}[${base} + ${4 * j + 1}], ${arr}[${base} + ${4 * j + 2}], ${arr}[${base} + ${4 * j + 3}])`;
/** let/var declarations of name0..name{n-1} loaded from arr[base + ...]. */
const loadVec = (kw: 'let' | 'var', name: string, arr: string, base: string, hd: number) => lanes(hd).map((j) => `${kw} ${name}${j} = ${load4(arr, base, j)};`).join(' ');
const zeroVec = (name: string, hd: number) => lanes(hd).map((j) => `var ${name}${j} = vec4<f32>(0.0);`).join(' ');
/** Sum of dot(a_j, arr[base + 4j..]) over lanes. */
const dotWith = (a: string, arr: string, base: string, hd: number) => lanes(hd).map((j) => `dot(${a}${j}, ${load4(arr, base, j)})`).join(' + ');
const dotVec = (a: string, b: string, hd: number) => lanes(hd).map((j) => `dot(${a}${j}, ${b}${j})`).join(' + ');
const store = (arr: string, base: string, v: string, hd: number, scale = '') =>
  lanes(hd).map((j) => [0, 1, 2, 3].map((c) => `${arr}[${base} + ${4 * j + c}] = ${v}${j}[${c}]${scale};`).join(' ')).join('\n      ');
const uniformValues = (a: AttentionAttrs) => [f32(a.scale), f32(a.rate), i32(a.seed | 0)];

/** Shared index arithmetic: invocation -> (b, h, row) and base offsets. */
const COORDS = (d: AttentionDims) => `
    let row = index % ${d.T};
    let bh = index / ${d.T};
    let h = bh % ${d.H};
    let b = bh / ${d.H};
    let hOff = h * ${d.hd};
    let tokBase = b * ${d.T};`;

/** Does query `i` see any key? (Otherwise it attends to all keys uniformly.) */
const ANY_VISIBLE = (d: AttentionDims, i: string) => `
    var any_${i} = false;
    for (var j = 0; j <= ${i}; j = j + 1) { if (Mask[tokBase + j] != 0.0) { any_${i} = true; break; } }`;

export function attentionForward(backend: WebGPUBackendLike, qkv: tf.TensorInfo, mask: tf.TensorInfo, H: number, a: AttentionAttrs): tf.TensorInfo {
  const d = dims(qkv, H);
  const D = d.H * d.hd;
  return run(
    backend,
    {
      key: `attn_fwd_${d.T}_${d.H}_${d.hd}`,
      inputs: ['QKV', 'Mask'],
      outputShape: [d.B, d.T, D],
      threads: d.B * d.H * d.T,
      uniforms: UNIFORMS,
      prelude: HASH,
      body: `${COORDS(d)}
    let i = row;
    let qBase = (tokBase + i) * ${3 * D} + hOff;
    ${loadVec('let', 'q', 'QKV', 'qBase', d.hd)}
    ${ANY_VISIBLE(d, 'i')}
    let jEnd = select(${d.T}, i + 1, any_i);
    let rowMix = rowMixOf(index);
    var m = -3.402823e+38;
    var l = 0.0;
    ${zeroVec('acc', d.hd)}
    for (var j = 0; j < jEnd; j = j + 1) {
      if (any_i && Mask[tokBase + j] == 0.0) { continue; }
      let kBase = (tokBase + j) * ${3 * D} + ${D} + hOff;
      let vBase = kBase + ${D};
      let s = select(0.0, (${dotWith('q', 'QKV', 'kBase', d.hd)}) * uniforms.scale, any_i);
      let mNew = max(m, s);
      let corr = exp(m - mNew);
      let p = exp(s - mNew);
      l = l * corr + p;
      let pv = p * keepScale(rowMix, j);
      ${lanes(d.hd).map((j) => `acc${j} = acc${j} * corr + pv * ${load4('QKV', 'vBase', j)};`).join('\n      ')}
      m = mNew;
    }
    let oBase = (tokBase + i) * ${D} + hOff;
    let invL = 1.0 / l;
    ${store('result', 'oBase', 'acc', d.hd, ' * invL')}`,
    },
    [qkv, mask],
    uniformValues(a),
  );
}

/** [B*H*T, 3]: log-sum-exp, D = dO.out, and 1 where the query sees some key. */
export function attentionStats(backend: WebGPUBackendLike, qkv: tf.TensorInfo, mask: tf.TensorInfo, out: tf.TensorInfo, dOut: tf.TensorInfo, H: number, a: AttentionAttrs): tf.TensorInfo {
  const d = dims(qkv, H);
  const D = d.H * d.hd;
  return run(
    backend,
    {
      key: `attn_stats_${d.T}_${d.H}_${d.hd}`,
      inputs: ['QKV', 'Mask', 'O', 'DO'],
      outputShape: [d.B * d.H * d.T, 3],
      threads: d.B * d.H * d.T,
      uniforms: UNIFORMS,
      body: `${COORDS(d)}
    let i = row;
    let qBase = (tokBase + i) * ${3 * D} + hOff;
    ${ANY_VISIBLE(d, 'i')}
    var lse = log(${d.T}.0);
    if (any_i) {
      var m = -3.402823e+38;
      var l = 0.0;
      ${loadVec('let', 'q', 'QKV', 'qBase', d.hd)}
      for (var j = 0; j <= i; j = j + 1) {
        if (Mask[tokBase + j] == 0.0) { continue; }
        let kBase = (tokBase + j) * ${3 * D} + ${D} + hOff;
        let s = (${dotWith('q', 'QKV', 'kBase', d.hd)}) * uniforms.scale;
        let mNew = max(m, s);
        l = l * exp(m - mNew) + exp(s - mNew);
        m = mNew;
      }
      lse = m + log(l);
    }
    let oBase = (tokBase + i) * ${D} + hOff;
    ${loadVec('let', 'o', 'O', 'oBase', d.hd)}
    let dd = ${dotWith('o', 'DO', 'oBase', d.hd)};
    result[index * 3] = lse;
    result[index * 3 + 1] = dd;
    result[index * 3 + 2] = select(0.0, 1.0, any_i);`,
    },
    [qkv, mask, out, dOut],
    uniformValues(a),
  );
}

/** dqkv [B, T, 3D]: the gradient of the c_attn output. */
export function attentionBackward(backend: WebGPUBackendLike, qkv: tf.TensorInfo, mask: tf.TensorInfo, dOut: tf.TensorInfo, stats: tf.TensorInfo, H: number, a: AttentionAttrs): tf.TensorInfo {
  const d = dims(qkv, H);
  const D = d.H * d.hd;
  const hd = d.hd;
  return run(
    backend,
    {
      key: `attn_bwd_${d.T}_${d.H}_${d.hd}`,
      inputs: ['QKV', 'Mask', 'DO', 'Stats'],
      outputShape: [d.B, d.T, 3 * D],
      threads: d.B * d.H * d.T,
      uniforms: UNIFORMS,
      prelude: HASH,
      body: `${COORDS(d)}
    let statBase = bh * ${d.T};
    // ---- dq for query i = row: keys it sees ----
    {
      let i = row;
      let qBase = (tokBase + i) * ${3 * D} + hOff;
      let oBase = (tokBase + i) * ${D} + hOff;
      let lse = Stats[(statBase + i) * 3];
      let Di = Stats[(statBase + i) * 3 + 1];
      let anyI = Stats[(statBase + i) * 3 + 2] != 0.0;
      let rowMix = rowMixOf(index);
      ${loadVec('let', 'q', 'QKV', 'qBase', hd)}
      ${loadVec('let', 'g', 'DO', 'oBase', hd)}
      ${zeroVec('dq', hd)}
      let jEnd = select(${d.T}, i + 1, anyI);
      for (var j = 0; j < jEnd; j = j + 1) {
        if (anyI && Mask[tokBase + j] == 0.0) { continue; }
        let kBase = (tokBase + j) * ${3 * D} + ${D} + hOff;
        let vBase = kBase + ${D};
        ${loadVec('let', 'k', 'QKV', 'kBase', hd)}
        let s = select(0.0, (${dotVec('q', 'k', hd)}) * uniforms.scale, anyI);
        let dp = ${dotWith('g', 'QKV', 'vBase', hd)};
        let p = exp(s - lse);
        let ds = p * (dp * keepScale(rowMix, j) - Di);
        ${lanes(hd).map((j) => `dq${j} = dq${j} + ds * k${j};`).join(' ')}
      }
      ${store('result', 'qBase', 'dq', hd, ' * uniforms.scale')}
    }
    // ---- dk, dv for key j = row: queries that see it ----
    {
      let j = row;
      let kBase = (tokBase + j) * ${3 * D} + ${D} + hOff;
      let vBase = kBase + ${D};
      let maskJ = Mask[tokBase + j] != 0.0;
      ${loadVec('let', 'k', 'QKV', 'kBase', hd)}
      ${loadVec('let', 'v', 'QKV', 'vBase', hd)}
      ${zeroVec('dk', hd)}
      ${zeroVec('dv', hd)}
      // Queries that see no key are exactly those before the first real token; they
      // attend to every key. The others see key j when i >= j and j is real.
      var firstReal = ${d.T};
      for (var t = 0; t < ${d.T}; t = t + 1) { if (Mask[tokBase + t] != 0.0) { firstReal = t; break; } }
      for (var i = select(j, 0, firstReal > 0); i < ${d.T}; i = i + 1) {
        let anyI = i >= firstReal;
        if (anyI && (i < j || !maskJ)) { continue; }
        let qBase = (tokBase + i) * ${3 * D} + hOff;
        let oBase = (tokBase + i) * ${D} + hOff;
        let lse = Stats[(statBase + i) * 3];
        let Di = Stats[(statBase + i) * 3 + 1];
        ${loadVec('let', 'q', 'QKV', 'qBase', hd)}
        ${loadVec('let', 'g', 'DO', 'oBase', hd)}
        let s = select(0.0, (${dotVec('q', 'k', hd)}) * uniforms.scale, anyI);
        let dp = ${dotVec('g', 'v', hd)};
        let p = exp(s - lse);
        let ks = keepScale(rowMixOf(bh * ${d.T} + i), j);
        let ds = p * (dp * ks - Di);
        let pk = p * ks;
        ${lanes(hd).map((j) => `dk${j} = dk${j} + ds * q${j}; dv${j} = dv${j} + pk * g${j};`).join(' ')}
      }
      ${store('result', 'kBase', 'dk', hd, ' * uniforms.scale')}
      ${store('result', 'vBase', 'dv', hd)}
    }`,
    },
    [qkv, mask, dOut, stats],
    uniformValues(a),
  );
}
