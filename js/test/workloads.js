// The golden workloads' inputs and hashes, computed the same way in Node
// (the tests) and in a page (the demo): formulas both sides compute
// exactly (examples/rayon/jsgolden_test.go) and FNV-1a over float64 bits.

/** @param {string} b64 little-endian float64 */
export function f64s(b64) {
  const s = atob(b64),
    b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return new Float64Array(b.buffer);
}

/** @param {number} x */
export function bitsHex(x) {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x, true);
  return v.getBigUint64(0, true).toString(16).padStart(16, '0');
}

/**
 * fnv returns FNV-1a 64 of the float64s' little-endian bits, NaN read as 0x7ff8000000000000
 * (rayon.Hash in Go), in hex.
 * @param {ArrayLike<number>} xs
 */
export function fnv(xs) {
  // 64-bit arithmetic in four 16-bit limbs; prime 2^40 + 0x1b3
  let h0 = 0x2325,
    h1 = 0x8422,
    h2 = 0x9ce4,
    h3 = 0xcbf2; // offset basis 0xcbf29ce484222325
  const dv = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x !== x) dv.setBigUint64(0, 0x7ff8000000000000n, true);
    else dv.setFloat64(0, x, true);
    for (let k = 0; k < 8; k++) {
      h0 ^= dv.getUint8(k);
      // h * (2^40 + 0x1b3): h*0x1b3 + (h << 40)
      const a0 = h0 * 0x1b3,
        a1 = h1 * 0x1b3 + (a0 >>> 16),
        a2 = h2 * 0x1b3 + (a1 >>> 16),
        a3 = h3 * 0x1b3 + (a2 >>> 16);
      // h << 40 adds h0 << 8 to limb 2 and h1 << 8 (and h0 >> 8) to limb 3
      const b2 = (a2 & 0xffff) + ((h0 << 8) & 0xffff);
      const b3 = (a3 & 0xffff) + (h0 >>> 8) + ((h1 << 8) & 0xffff) + (b2 >>> 16);
      h0 = a0 & 0xffff;
      h1 = a1 & 0xffff;
      h2 = b2 & 0xffff;
      h3 = b3 & 0xffff;
    }
  }
  return [h3, h2, h1, h0].map((x) => x.toString(16).padStart(4, '0')).join('');
}

/** The golden series value (examples/rayon/jsgolden_test.go). */
/**
 * meshHash is FNV-1a 64 over a mesh's little-endian bytes, positions, normals (every NaN as
 * 0x7fc00000) then indices, in hex: Go's rayon.MeshHash (with BigInt: for the meshes of the tests
 * and the demo's check, not the viewer's every frame).
 * @param {Float32Array} pos @param {Float32Array} nrm @param {Uint32Array} idx
 */
export function meshHash(pos, nrm, idx) {
  let h = 0xcbf29ce484222325n;
  const word = (/** @type {number} */ w) => {
    for (let k = 0; k < 4; k++) h = ((h ^ BigInt((w >>> (8 * k)) & 0xff)) * 0x100000001b3n) & 0xffffffffffffffffn;
  };
  const bits = new Uint32Array(1),
    f = new Float32Array(bits.buffer);
  for (const a of [pos, nrm]) {
    for (let i = 0; i < a.length; i++) {
      f[0] = a[i];
      word(a[i] !== a[i] ? 0x7fc00000 : bits[0]);
    }
  }
  for (let i = 0; i < idx.length; i++) word(idx[i]);
  return h.toString(16).padStart(16, '0');
}

export const seriesValue = (/** @type {number} */ s, /** @type {number} */ i) => ((i * 7919 + s * 104729) % 1000) / 8 - 60;

/** The golden Gray–Scott start. @param {number} n */
export function gsInit(n) {
  const N = n * n * n,
    u = new Float64Array(N).fill(1),
    v = new Float64Array(N);
  const lo = Math.floor((3 * n) / 8),
    hi = Math.floor((5 * n) / 8);
  for (let i = 0; i < N; i++) {
    const x = i % n,
      y = Math.floor(i / n) % n,
      z = Math.floor(i / (n * n));
    if (x >= lo && x < hi && y >= lo && y < hi && z >= lo && z < hi) {
      u[i] = 0.5;
      v[i] = 0.25;
    }
  }
  return { u, v };
}
