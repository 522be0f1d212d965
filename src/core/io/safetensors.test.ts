import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  SafetensorsError,
  bfloat16BitsToFloat32,
  float16BitsToFloat32,
  float32ToFloat16Bits,
  parseSafetensors,
  serializeSafetensors,
  type TensorToWrite,
} from './safetensors';

// ---- builders -------------------------------------------------------------

/** A file from a raw header string and data bytes; `len`/`high` override the u64 length prefix. */
function rawFile(header: string, data: ArrayLike<number> = [], opts: { len?: number; high?: number } = {}): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, opts.len ?? h.length, true);
  v.setUint32(4, opts.high ?? 0, true);
  out.set(h, 8);
  out.set(Array.from(data), 8 + h.length);
  return out;
}

/** A file whose header is `header` serialized as JSON, followed by `dataLen` zero bytes. */
function jsonFile(header: unknown, dataLen = 0): Uint8Array {
  return rawFile(JSON.stringify(header), new Uint8Array(dataLen));
}

function f32(...xs: number[]): Float32Array {
  return Float32Array.from(xs);
}

/** Bitwise equality so -0 vs 0 and NaN payloads count. */
function expectSameBits(a: Float32Array, b: Float32Array): void {
  expect(a.length).toBe(b.length);
  expect(Array.from(new Uint32Array(a.slice().buffer))).toEqual(Array.from(new Uint32Array(b.slice().buffer)));
}

function expectError(bytes: Uint8Array, fragment: string | RegExp, fileName?: string): SafetensorsError {
  let err: unknown;
  try {
    parseSafetensors(bytes, fileName);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SafetensorsError);
  const msg = (err as Error).message;
  expect(msg.startsWith(`${fileName ?? 'model.safetensors'}: `)).toBe(true);
  if (typeof fragment === 'string') expect(msg).toContain(fragment);
  else expect(msg).toMatch(fragment);
  return err as SafetensorsError;
}

const entry = (dtype: string, shape: unknown, data_offsets: unknown) => ({ dtype, shape, data_offsets });

// ---- reader ---------------------------------------------------------------

describe('parseSafetensors()', () => {
  it('parses a hand-built file from the byte layout in the spec, including unaligned offsets', () => {
    // One trailing space of padding makes the header length odd, so the data section and the F32 tensor are unaligned.
    const header =
      '{"__metadata__":{"format":"pt"},' +
      '"b":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},' +
      '"a":{"dtype":"F32","shape":[1,2],"data_offsets":[4,12]},' +
      '"c":{"dtype":"BF16","shape":[],"data_offsets":[12,14]}} ';
    const headerBytes = new TextEncoder().encode(header);
    expect(headerBytes.length % 2).toBe(1);
    expect(headerBytes.length).toBeLessThan(256); // fits the one hand-written length byte below
    const bytes = new Uint8Array([
      headerBytes.length, 0, 0, 0, 0, 0, 0, 0, // u64 little-endian header length
      ...headerBytes,
      0x00, 0x3c, 0x00, 0xc0, // F16 1.0 (0x3C00), -2.0 (0xC000)
      0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc1, // F32 1.0 (0x3F800000), -10.0 (0xC1200000)
      0x49, 0x40, // BF16 0x4049 = 3.140625
    ]);
    const file = parseSafetensors(bytes);
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.names).toEqual(['b', 'a', 'c']);
    expect(file.has('a')).toBe(true);
    expect(file.has('__metadata__')).toBe(false);
    expect(file.has('constructor')).toBe(false);
    const dataStart = 8 + headerBytes.length;
    expect(file.info('a')).toEqual({ name: 'a', dtype: 'F32', shape: [1, 2], byteOffset: dataStart + 4, byteLength: 8 });
    expect(file.info('c').shape).toEqual([]);
    expect(Array.from(file.getFloat32('b'))).toEqual([1, -2]);
    expect(Array.from(file.getFloat32('a'))).toEqual([1, -10]);
    expect(Array.from(file.getFloat32('c'))).toEqual([3.140625]);
  });

  it('reads from a Uint8Array view that does not start at offset 0 of its buffer', () => {
    const file = serializeSafetensors({ w: { shape: [3], data: f32(1.5, -2.25, 3) } });
    const padded = new Uint8Array(file.length + 3);
    padded.set(file, 3);
    const view = padded.subarray(3);
    expect(Array.from(parseSafetensors(view).getFloat32('w'))).toEqual([1.5, -2.25, 3]);
  });

  it('decodes BF16 against hand-computed bit patterns', () => {
    const patterns: [number, number][] = [
      [0x3f80, 1], [0xc000, -2], [0x7f80, Infinity], [0xff80, -Infinity],
      [0x0000, 0], [0x4049, 3.140625], [0x3e80, 0.25], [0x0001, 2 ** -133],
    ];
    for (const [bits, value] of patterns) expect(bfloat16BitsToFloat32(bits)).toBe(value);
    expect(Object.is(bfloat16BitsToFloat32(0x8000), -0)).toBe(true);
    expect(bfloat16BitsToFloat32(0x7fc0)).toBeNaN();

    const data = patterns.flatMap(([bits]) => [bits & 0xff, bits >> 8]);
    const bytes = rawFile(JSON.stringify({ x: entry('BF16', [patterns.length], [0, data.length]) }), data);
    expect(Array.from(parseSafetensors(bytes).getFloat32('x'))).toEqual(patterns.map(([, v]) => v));
  });

  it('narrows F64 to float32', () => {
    const data = new Uint8Array(16);
    new DataView(data.buffer).setFloat64(0, 0.1, true);
    new DataView(data.buffer).setFloat64(8, -1e300, true);
    const bytes = rawFile(JSON.stringify({ d: entry('F64', [2], [0, 16]) }), data);
    expect(Array.from(parseSafetensors(bytes).getFloat32('d'))).toEqual([Math.fround(0.1), -Infinity]);
  });

  it('accepts a header padded with trailing spaces and empty tensors', () => {
    const bytes = rawFile(JSON.stringify({ e: entry('F32', [0, 4], [0, 0]), z: entry('U8', [1], [0, 1]) }) + '     ', [7]);
    const file = parseSafetensors(bytes);
    expect(file.getFloat32('e').length).toBe(0);
    expect(file.info('z').byteLength).toBe(1);
  });

  it('refuses to decode integer and bool dtypes as float32', () => {
    const file = parseSafetensors(jsonFile({ ids: entry('I64', [2], [0, 16]), m: entry('BOOL', [1], [16, 17]) }, 17));
    expect(() => file.getFloat32('ids')).toThrow(/tensor "ids" has dtype I64, which cannot be read as float32/);
    expect(() => file.getFloat32('m')).toThrow(SafetensorsError);
  });

  it('names the missing tensor in info() and getFloat32()', () => {
    const file = parseSafetensors(serializeSafetensors({ a: { shape: [1], data: f32(1) } }), 'gpt2.safetensors');
    expect(() => file.info('h.0.attn.c_attn.weight')).toThrow('gpt2.safetensors: no tensor named "h.0.attn.c_attn.weight"');
    expect(() => file.getFloat32('nope')).toThrow(SafetensorsError);
  });

  it('keeps a "__proto__" metadata key as plain data', () => {
    const file = parseSafetensors(rawFile('{"__metadata__":{"__proto__":"x","format":"pt"}}'));
    expect(Object.getPrototypeOf(file.metadata)).toBe(Object.prototype);
    expect(Object.keys(file.metadata).sort()).toEqual(['__proto__', 'format']);
  });

  describe('hostile files', () => {
    const ok = entry('F32', [2], [0, 8]);
    const cases: [string, Uint8Array, string | RegExp][] = [
      ['shorter than 8 bytes', new Uint8Array([1, 0, 0]), 'file has 3 bytes, too short'],
      ['truncated header', rawFile('{"a":1}').subarray(0, 12), 'header length is 7 bytes but only 4 bytes follow'],
      ['header length 2^40', rawFile('{}', [], { len: 0, high: 2 ** 8 }), 'header length 1099511627776 is absurd'],
      ['header length over 100 MB', rawFile('{}', [], { len: 100_000_001 }), 'header length 100000001 is absurd'],
      ['high word set', rawFile('{}', [], { len: 2, high: 1 }), 'header length 4294967298 is absurd'],
      ['invalid UTF-8', (() => { const b = rawFile('{"a":1}'); b[10] = 0xff; return b; })(), 'is not valid UTF-8'],
      ['bad JSON', rawFile('{"a":'), 'is not valid JSON'],
      ['empty header', rawFile(''), 'is not valid JSON'],
      ['non-object header (array)', rawFile('[1,2]'), 'header must be a JSON object, got an array'],
      ['non-object header (null)', rawFile('null'), 'got null'],
      ['entry not an object', jsonFile({ w: 5 }), 'tensor "w": entry must be an object, got number 5'],
      ['unknown dtype', jsonFile({ w: entry('F8_E4M3', [1], [0, 1]) }, 1), 'tensor "w": unknown dtype string "F8_E4M3"'],
      ['missing dtype', jsonFile({ w: { shape: [1], data_offsets: [0, 4] } }, 4), 'unknown dtype undefined'],
      ['negative shape', jsonFile({ w: entry('F32', [2, -1], [0, 8]) }, 8), 'shape [2,-1] has number -1; dimensions must be non-negative'],
      ['fractional shape', jsonFile({ w: entry('F32', [1.5], [0, 6]) }, 8), 'shape [1.5] has number 1.5'],
      ['string shape entry', jsonFile({ w: entry('F32', ['2'], [0, 8]) }, 8), 'has string "2"'],
      ['shape not an array', jsonFile({ w: entry('F32', 2, [0, 8]) }, 8), 'shape must be an array, got number 2'],
      ['element count overflow', jsonFile({ w: entry('F32', [2 ** 30, 2 ** 30, 2 ** 30], [0, 8]) }, 8), 'too many elements'],
      ['byte count overflow', jsonFile({ w: entry('F64', [2 ** 50], [0, 8]) }, 8), 'too many bytes'],
      ['offsets not two numbers', jsonFile({ w: entry('F32', [2], [0]) }, 8), 'data_offsets must be two non-negative integers, got [0]'],
      ['negative offset', jsonFile({ w: entry('F32', [2], [-8, 0]) }, 8), 'data_offsets must be two non-negative integers'],
      ['begin after end', jsonFile({ w: entry('F32', [0], [8, 0]) }, 8), 'data_offsets [8, 0] begin after they end'],
      ['wrong byte length for shape', jsonFile({ w: entry('F32', [3], [0, 8]) }, 12), 'span 8 bytes but F32 shape [3] needs 12'],
      ['offset past end', jsonFile({ 'h.0.attn.c_attn.weight': entry('F32', [1024], [0, 4096]) }, 1024),
        'tensor "h.0.attn.c_attn.weight" ends at byte 4096 but the data section has 1024 bytes (file truncated?)'],
      ['overlapping tensors', jsonFile({ a: ok, b: entry('F32', [2], [4, 12]) }, 12), 'tensors "a" [0, 8) and "b" [4, 12) overlap'],
      ['duplicate region', jsonFile({ a: ok, b: ok }, 8), 'overlap'],
      ['metadata not an object', jsonFile({ __metadata__: 'pt' }), '"__metadata__" must be an object of strings'],
      ['metadata with non-string values', jsonFile({ __metadata__: { format: 'pt', step: 3 } }),
        '"__metadata__" value for key "step" must be a string, got number 3'],
    ];
    for (const [what, bytes, fragment] of cases) {
      it(`rejects ${what}`, () => {
        expectError(bytes, fragment);
      });
    }

    it('prefixes every message with the given file name', () => {
      expectError(new Uint8Array(2), /^weights\/adapter\.safetensors: file has 2 bytes/, 'weights/adapter.safetensors');
    });
  });

  describe('properties', () => {
    const nameArb = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s !== '__metadata__');
    const tensorArb = fc
      .array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 })
      .chain((shape) => {
        const n = shape.reduce((a, b) => a * b, 1);
        return fc
          .array(fc.float({ noNaN: true }), { minLength: n, maxLength: n })
          .map((values): TensorToWrite => ({ shape, data: Float32Array.from(values) }));
      });
    const tensorsArb = fc.uniqueArray(fc.tuple(nameArb, tensorArb), { selector: ([name]) => name, maxLength: 6 })
      .map((entries) => new Map(entries));

    it('round-trips random tensors exactly through F32', () => {
      fc.assert(
        fc.property(tensorsArb, (tensors) => {
          const file = parseSafetensors(serializeSafetensors(tensors));
          expect([...file.names].sort()).toEqual([...tensors.keys()].sort());
          for (const [name, t] of tensors) {
            expect(file.info(name).shape).toEqual(t.shape);
            expectSameBits(file.getFloat32(name), t.data);
          }
        }),
        { numRuns: 300 },
      );
    });

    it('throws nothing but SafetensorsError on mutated or truncated files', () => {
      const mutation = fc.record({ pos: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) });
      fc.assert(
        fc.property(tensorsArb, fc.array(mutation, { maxLength: 4 }), fc.option(fc.nat()), (tensors, muts, cut) => {
          let bytes = serializeSafetensors(tensors, { dtype: muts.length % 2 ? 'F16' : 'F32' });
          for (const { pos, byte } of muts) bytes[pos % bytes.length] = byte;
          if (cut !== null) bytes = bytes.subarray(0, cut % (bytes.length + 1));
          try {
            const file = parseSafetensors(bytes);
            for (const name of file.names) {
              file.info(name);
              try {
                file.getFloat32(name);
              } catch (e) {
                if (!(e instanceof SafetensorsError) || !/cannot be read as float32/.test(e.message)) throw e;
              }
            }
          } catch (e) {
            if (!(e instanceof SafetensorsError)) throw e;
          }
        }),
        { numRuns: 2000 },
      );
    });
  });
});

// ---- writer ---------------------------------------------------------------

describe('serializeSafetensors()', () => {
  it('round-trips F32 exactly, including -0, subnormals, extremes and NaN bits', () => {
    const data = f32(0, -0, 1, -1, 3.4028234663852886e38, -Infinity, Infinity, 1.401298464324817e-45, 0.1, NaN);
    const back = parseSafetensors(serializeSafetensors({ x: { shape: [2, 5], data } })).getFloat32('x');
    expectSameBits(back, data);
  });

  it('round-trips F16 within half precision and exactly for representable values', () => {
    const exact = f32(0, -0, 1, -2, 0.5, 65504, -65504, 2 ** -24, 2 ** -14, 1.5, 1000.5, 0.333251953125);
    const back = parseSafetensors(serializeSafetensors({ e: { shape: [exact.length], data: exact } }, { dtype: 'F16' }));
    expect(back.info('e').dtype).toBe('F16');
    expectSameBits(back.getFloat32('e'), exact);

    const approx = Float32Array.from({ length: 200 }, (_, i) => Math.sin(i) * 10 ** ((i % 8) - 3));
    const got = parseSafetensors(serializeSafetensors({ a: { shape: [200], data: approx } }, { dtype: 'F16' })).getFloat32('a');
    for (let i = 0; i < approx.length; i++) {
      // Half of an ulp of a 10-bit mantissa, or half the subnormal step for tiny values.
      const tol = Math.max(Math.abs(approx[i]) * 2 ** -11, 2 ** -25);
      expect(Math.abs(got[i] - approx[i])).toBeLessThanOrEqual(tol);
    }
  });

  it('writes metadata first, names sorted, header padded with spaces to 8 bytes, data contiguous', () => {
    const bytes = serializeSafetensors(
      new Map([
        ['zeta', { shape: [1], data: f32(1) }],
        ['alpha', { shape: [2], data: f32(2, 3) }],
        ['mid', { shape: [], data: f32(4) }],
      ]),
      { metadata: { format: 'pt', note: 'hi' } },
    );
    const view = new DataView(bytes.buffer);
    const n = view.getUint32(0, true);
    expect(view.getUint32(4, true)).toBe(0);
    expect(n % 8).toBe(0);
    expect(bytes.length).toBe(8 + n + 16);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text).toMatch(/^\{.*\} *$/);
    const header = JSON.parse(text);
    expect(Object.keys(header)).toEqual(['__metadata__', 'alpha', 'mid', 'zeta']);
    expect(header.__metadata__).toEqual({ format: 'pt', note: 'hi' });
    expect(header.alpha).toEqual({ dtype: 'F32', shape: [2], data_offsets: [0, 8] });
    expect(header.mid).toEqual({ dtype: 'F32', shape: [], data_offsets: [8, 12] });
    expect(header.zeta).toEqual({ dtype: 'F32', shape: [1], data_offsets: [12, 16] });
    // Float32Array on the data section is legal only because it starts 8-aligned.
    expect(Array.from(new Float32Array(bytes.buffer, 8 + n, 4))).toEqual([2, 3, 4, 1]);
  });

  it('defaults metadata to {"format":"pt"} and handles no tensors', () => {
    const file = parseSafetensors(serializeSafetensors({}));
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.names).toEqual([]);
  });

  it('validates names, shapes and data length', () => {
    const bad: [Record<string, TensorToWrite>, string][] = [
      [{ '': { shape: [1], data: f32(1) } }, 'invalid name'],
      [{ __metadata__: { shape: [1], data: f32(1) } }, 'invalid name'],
      [{ w: { shape: [-1], data: f32() } }, 'must hold non-negative integers'],
      [{ w: { shape: [1.5], data: f32(1) } }, 'must hold non-negative integers'],
      [{ w: { shape: [2, 2], data: f32(1, 2, 3) } }, 'shape [2,2] needs 4 values, got 3'],
    ];
    for (const [tensors, fragment] of bad) {
      expect(() => serializeSafetensors(tensors)).toThrow(SafetensorsError);
      expect(() => serializeSafetensors(tensors)).toThrow(fragment);
    }
    expect(() => serializeSafetensors({}, { metadata: { step: 3 as unknown as string } })).toThrow('must be a string');
  });
});

// ---- half precision -------------------------------------------------------

describe('float32ToFloat16Bits()', () => {
  it('handles the edge cases', () => {
    const cases: [number, number][] = [
      [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800],
      [65504, 0x7bff], [65519, 0x7bff], [65520, 0x7c00], [1e6, 0x7c00], [-1e6, 0xfc00],
      [Infinity, 0x7c00], [-Infinity, 0xfc00],
      [2 ** -14, 0x0400], [2 ** -24, 0x0001], [6e-8, 0x0001], [2 ** -25, 0x0000], [3 * 2 ** -25, 0x0002],
      [2 ** -14 - 2 ** -25, 0x0400], [1e-10, 0x0000], [-6e-8, 0x8001],
      [1 / 3, 0x3555], [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [2047.5, 0x6800], [2046.5, 0x67fe],
    ];
    for (const [x, bits] of cases) {
      expect([x, float32ToFloat16Bits(x)]).toEqual([x, bits]);
    }
    const nan = float32ToFloat16Bits(NaN);
    expect(nan & 0x7c00).toBe(0x7c00);
    expect(nan & 0x03ff).not.toBe(0);
  });

  it('is the exact inverse of float16BitsToFloat32 for every non-NaN half', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = float16BitsToFloat32(h);
      if (Number.isNaN(v)) {
        expect((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0).toBe(true);
        continue;
      }
      if (float32ToFloat16Bits(v) !== h) expect([h, float32ToFloat16Bits(v)]).toEqual([h, h]);
    }
  });

  it('rounds every value to the nearest half, ties to even', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, min: -65504, max: 65504 }), (x) => {
        const h = float32ToFloat16Bits(x);
        const err = Math.abs(float16BitsToFloat32(h) - x);
        // Neighbours in magnitude with the same sign; finite halves only.
        for (const n of [h - 1, h + 1]) {
          if ((n & 0x7fff) > 0x7bff || (n & 0x8000) !== (h & 0x8000)) continue;
          const other = Math.abs(float16BitsToFloat32(n) - x);
          expect(err).toBeLessThanOrEqual(other);
          if (err === other && err !== 0) expect(h & 1).toBe(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('float16BitsToFloat32()', () => {
  it('decodes hand-computed bit patterns', () => {
    expect(float16BitsToFloat32(0x3c00)).toBe(1);
    expect(float16BitsToFloat32(0xc000)).toBe(-2);
    expect(float16BitsToFloat32(0x7bff)).toBe(65504);
    expect(float16BitsToFloat32(0x0001)).toBe(2 ** -24);
    expect(float16BitsToFloat32(0x03ff)).toBe(1023 * 2 ** -24);
    expect(float16BitsToFloat32(0x7c00)).toBe(Infinity);
    expect(float16BitsToFloat32(0xfc00)).toBe(-Infinity);
    expect(Object.is(float16BitsToFloat32(0x8000), -0)).toBe(true);
    expect(float16BitsToFloat32(0x7e00)).toBeNaN();
  });
});
