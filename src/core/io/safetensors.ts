/**
 * Reader and writer for the Hugging Face safetensors format.
 *
 * Files come from the network or the user's disk, so the reader treats them as
 * hostile: every length and offset is validated before anything is allocated or
 * read, and every failure is a SafetensorsError that names the file and the spot.
 * Pure TypeScript over Uint8Array/DataView so it runs in the page, a worker or Node.
 */

export type SafeDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export interface TensorInfo {
  name: string;
  dtype: SafeDType;
  shape: number[];
  /** Absolute offset in the file, not relative to the data section. */
  byteOffset: number;
  byteLength: number;
}

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

export interface SafetensorsFile {
  metadata: Record<string, string>;
  /** In header order (JSON.parse puts integer-like names first, as JS objects do). */
  names: string[];
  has(name: string): boolean;
  info(name: string): TensorInfo;
  /** Decoded as float32 (F32 copied, F16 and BF16 converted, F64 narrowed). Integer/bool dtypes throw. */
  getFloat32(name: string): Float32Array;
}

export interface TensorToWrite {
  shape: number[];
  data: Float32Array;
}

const BYTES_PER_ELEMENT: Record<SafeDType, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

/** Same cap as the Rust implementation; a larger header is a corrupt length, not a real model. */
const MAX_HEADER_BYTES = 100_000_000;

const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// Scratch views for exact bit reinterpretation without DataView overhead.
const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** Round half to even; m is small (< 2^12) so floor and subtraction are exact. */
function roundHalfEven(m: number): number {
  const f = Math.floor(m);
  const d = m - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Works from the double directly (not via float32) so there is a single rounding step;
 * rounding through float32 first can double-round ties the wrong way.
 */
export function float32ToFloat16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  // 65520 is the midpoint between 65504 (max half) and 65536, and ties go to the even (infinite) side.
  if (a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -14) {
    // Subnormal: the unit is 2^-24; a rounded result of 1024 lands exactly on the smallest normal.
    return sign | roundHalfEven(a * 2 ** 24);
  }
  let e = Math.floor(Math.log2(a));
  // log2 can be off by one ulp near powers of two.
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  let m = roundHalfEven(a / 2 ** (e - 10));
  if (m === 2048) {
    m = 1024;
    e++;
  }
  return sign | ((e + 15) << 10) | (m - 1024);
}

export function float16BitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m ? NaN : sign * Infinity;
  return sign * (1024 + m) * 2 ** (e - 25);
}

export function bfloat16BitsToFloat32(h: number): number {
  scratchU32[0] = (h & 0xffff) << 16;
  return scratchF32[0];
}

let f16Table: Float32Array | null = null;
/** 256 KB once, so decoding a large F16 checkpoint is a table lookup per element. */
function getF16Table(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = float16BitsToFloat32(h);
  }
  return f16Table;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return typeof v === 'string' ? `string ${JSON.stringify(v.slice(0, 40))}` : `${typeof v} ${String(v).slice(0, 40)}`;
}

export function parseSafetensors(bytes: Uint8Array, fileName = 'model.safetensors'): SafetensorsFile {
  const fail = (msg: string): never => {
    throw new SafetensorsError(`${fileName}: ${msg}`);
  };
  if (bytes.byteLength < 8) fail(`file has ${bytes.byteLength} bytes, too short for the 8-byte header length (truncated?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenLow = view.getUint32(0, true);
  const lenHigh = view.getUint32(4, true);
  if (lenHigh !== 0 || lenLow > MAX_HEADER_BYTES) {
    const n = BigInt(lenHigh) * 2n ** 32n + BigInt(lenLow);
    fail(`header length ${n} is absurd (limit ${MAX_HEADER_BYTES} bytes); not a safetensors file or corrupted`);
  }
  const headerLen = lenLow;
  if (8 + headerLen > bytes.byteLength) {
    fail(`header length is ${headerLen} bytes but only ${bytes.byteLength - 8} bytes follow the length field (file truncated?)`);
  }

  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    fail(`header (bytes 8..${8 + headerLen}) is not valid UTF-8`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`header (bytes 8..${8 + headerLen}) is not valid JSON: ${(e as Error).message}`);
  }
  if (!isPlainObject(header)) fail(`header must be a JSON object, got ${show(header)}`);
  const entries = header as Record<string, unknown>;

  const dataStart = 8 + headerLen;
  const dataLen = bytes.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const infos = new Map<string, TensorInfo>();

  for (const name of Object.keys(entries)) {
    const entry = entries[name];
    if (name === '__metadata__') {
      if (!isPlainObject(entry)) fail(`"__metadata__" must be an object of strings, got ${show(entry)}`);
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`"__metadata__" value for key ${JSON.stringify(k)} must be a string, got ${show(v)}`);
        // defineProperty so a "__proto__" key stays data, not a prototype change.
        Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    const where = `tensor ${JSON.stringify(name)}`;
    if (!isPlainObject(entry)) fail(`${where}: entry must be an object, got ${show(entry)}`);
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (typeof dtype !== 'string' || !Object.prototype.hasOwnProperty.call(BYTES_PER_ELEMENT, dtype)) {
      fail(`${where}: unknown dtype ${show(dtype)} (supported: ${Object.keys(BYTES_PER_ELEMENT).join(', ')})`);
    }
    const dt = dtype as SafeDType;
    if (!Array.isArray(shape)) fail(`${where}: shape must be an array, got ${show(shape)}`);
    let count = 1;
    for (const d of shape as unknown[]) {
      if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
        fail(`${where}: shape ${JSON.stringify(shape)} has ${show(d)}; dimensions must be non-negative integers`);
      }
      count *= d as number;
      if (!Number.isSafeInteger(count)) fail(`${where}: shape ${JSON.stringify(shape)} has too many elements`);
    }
    const expectedBytes = count * BYTES_PER_ELEMENT[dt];
    if (!Number.isSafeInteger(expectedBytes)) fail(`${where}: shape ${JSON.stringify(shape)} has too many bytes`);
    if (
      !Array.isArray(offsets) || offsets.length !== 2 ||
      !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)
    ) {
      fail(`${where}: data_offsets must be two non-negative integers, got ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as number[];
    if (begin > end) fail(`${where}: data_offsets [${begin}, ${end}] begin after they end`);
    if (end - begin !== expectedBytes) {
      fail(`${where}: data_offsets [${begin}, ${end}] span ${end - begin} bytes but ${dt} shape ${JSON.stringify(shape)} needs ${expectedBytes}`);
    }
    if (end > dataLen) fail(`${where} ends at byte ${end} but the data section has ${dataLen} bytes (file truncated?)`);
    infos.set(name, { name, dtype: dt, shape: (shape as number[]).slice(), byteOffset: dataStart + begin, byteLength: expectedBytes });
  }

  // Overlap would let one tensor alias another's bytes; a sorted sweep catches it in O(n log n).
  const span = (t: TensorInfo) => `${JSON.stringify(t.name)} [${t.byteOffset - dataStart}, ${t.byteOffset - dataStart + t.byteLength})`;
  const sorted = [...infos.values()].sort((a, b) => a.byteOffset - b.byteOffset || a.byteLength - b.byteLength);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (sorted[i].byteOffset < prev.byteOffset + prev.byteLength) fail(`tensors ${span(prev)} and ${span(sorted[i])} overlap`);
  }

  const info = (name: string): TensorInfo => {
    const t = infos.get(name) ?? fail(`no tensor named ${JSON.stringify(name)} (the file has ${infos.size} tensors)`);
    return { ...t, shape: t.shape.slice() };
  };

  const getFloat32 = (name: string): Float32Array => {
    const { dtype, byteOffset, byteLength } = info(name);
    const n = byteLength / BYTES_PER_ELEMENT[dtype];
    const out = new Float32Array(n);
    const src = bytes.subarray(byteOffset, byteOffset + byteLength);
    switch (dtype) {
      case 'F32':
        // Copy bytes into the fresh (aligned) buffer: the source offset may be unaligned.
        if (IS_LITTLE_ENDIAN) new Uint8Array(out.buffer).set(src);
        else for (let i = 0; i < n; i++) out[i] = view.getFloat32(byteOffset + 4 * i, true);
        return out;
      case 'F16': {
        const table = getF16Table();
        for (let i = 0; i < n; i++) out[i] = table[src[2 * i] | (src[2 * i + 1] << 8)];
        return out;
      }
      case 'BF16': {
        // Same-endian integer view of the output, so the shift is a pure bit move (NaN payloads kept).
        const bits = new Uint32Array(out.buffer);
        for (let i = 0; i < n; i++) bits[i] = ((src[2 * i] | (src[2 * i + 1] << 8)) << 16) >>> 0;
        return out;
      }
      case 'F64':
        for (let i = 0; i < n; i++) out[i] = view.getFloat64(byteOffset + 8 * i, true);
        return out;
      default:
        return fail(`tensor ${JSON.stringify(name)} has dtype ${dtype}, which cannot be read as float32`);
    }
  };

  return { metadata, names: [...infos.keys()], has: (name) => infos.has(name), info, getFloat32 };
}

export function serializeSafetensors(
  tensors: Record<string, TensorToWrite> | Map<string, TensorToWrite>,
  opts: { dtype?: 'F32' | 'F16'; metadata?: Record<string, string> } = {},
): Uint8Array {
  const dtype = opts.dtype ?? 'F32';
  if (dtype !== 'F32' && dtype !== 'F16') throw new SafetensorsError(`serializeSafetensors: unsupported dtype ${String(dtype)}`);
  const bpe = BYTES_PER_ELEMENT[dtype];
  const metadata = opts.metadata ?? { format: 'pt' };
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new SafetensorsError(`serializeSafetensors: metadata ${JSON.stringify(k)} must be a string`);
  }
  const list = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))];
  // Name order, as the Python writer uses, so files diff cleanly against its output.
  list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  // Built with defineProperty so names like "__proto__" serialize as ordinary keys.
  const header: Record<string, unknown> = {};
  const put = (k: string, v: unknown) =>
    Object.defineProperty(header, k, { value: v, enumerable: true, writable: true, configurable: true });
  put('__metadata__', metadata);
  let offset = 0;
  for (const [name, t] of list) {
    const where = `serializeSafetensors: tensor ${JSON.stringify(name)}`;
    if (name === '' || name === '__metadata__') throw new SafetensorsError(`${where}: invalid name`);
    if (!Array.isArray(t.shape)) throw new SafetensorsError(`${where}: shape must be an array`);
    let count = 1;
    for (const d of t.shape) {
      if (!Number.isSafeInteger(d) || d < 0) {
        throw new SafetensorsError(`${where}: shape ${JSON.stringify(t.shape)} must hold non-negative integers`);
      }
      count *= d;
    }
    if (!(t.data instanceof Float32Array) || t.data.length !== count) {
      throw new SafetensorsError(`${where}: shape ${JSON.stringify(t.shape)} needs ${count} values, got ${t.data?.length}`);
    }
    put(name, { dtype, shape: t.shape.slice(), data_offsets: [offset, offset + count * bpe] });
    offset += count * bpe;
  }

  const json = new TextEncoder().encode(JSON.stringify(header));
  // Pad to a multiple of 8 so the data section starts 8-aligned and F32/F16 views on it are legal.
  const headerLen = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLen + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLen, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);

  let pos = 8 + headerLen;
  for (const [, { data }] of list) {
    if (dtype === 'F32') {
      if (IS_LITTLE_ENDIAN) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pos);
      else for (let i = 0; i < data.length; i++) view.setFloat32(pos + 4 * i, data[i], true);
    } else {
      for (let i = 0; i < data.length; i++) view.setUint16(pos + 2 * i, float32ToFloat16Bits(data[i]), true);
    }
    pos += data.length * bpe;
  }
  return out;
}
