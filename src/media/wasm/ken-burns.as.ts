// AssemblyScript (compiled by `npm run build:wasm` to assets/wasm/ken-burns.wasm; not part of the tsc build).
//
// Sub-pixel resampling of one 8-bit image plane under an axis-aligned scale + translation: the whole of a
// Ken Burns camera move. ffmpeg 5.1's only smooth per-frame mover, `perspective` with `eval=frame`, rebuilds a
// full-frame table in doubles on one thread for every frame (32 ms per 1080×1920 frame on node-svc, four times
// the x264 encode of the same frame); this separable bilinear filter, SIMD in both passes, takes about 2 ms.
//
// Mapping, in pixel-centre coordinates: output pixel (x, y) samples the source at
//   (ax·(x + ½) + bx − ½,  ay·(y + ½) + by − ½)
// with edge pixels repeated outside the plane. Weights have 8 fractional bits (1/256 px); the vertical pass
// keeps 8 more bits, so only the final rounding loses precision (at most 1 code value off exact bilinear).
//
// Memory is the caller's: every pointer is a byte offset into this module's exported memory.
//   tmp  needs dh × tmpStride(dw-range) bytes: at most dh × (2·sw + 64)
//   tab  needs 64 bytes per 8 output columns
//   src  must be readable 16 bytes past its end, dst writable 8 bytes past its end (vector tails).
// Rows are written top to bottom, so a row's vector tail lands in the next row before that row is written.

/** First byte the caller may use: after this module's own static data, 16-byte aligned. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

/** Bytes of `tmp` that {@link resamplePlane} needs for a source row window of `sw` columns and `dh` rows. */
export function tmpBytes(sw: i32, dh: i32): i32 {
  return dh * tmpStride(sw);
}

@inline
function tmpStride(columns: i32): i32 {
  return ((columns + 31) & ~15) << 1;
}

/**
 * Resamples plane `src` (sw × sh bytes, row stride sw) into `dst` (dw × dh bytes, row stride dw).
 * Vertical pass first (contiguous rows, 16 pixels per vector) into 16-bit `tmp`, over only the source
 * columns the output reaches; then the horizontal pass, 8 output pixels per vector from a table of
 * byte shuffles and weights built once per call (every row shares it). A horizontal scale above 1
 * (shrinking by more than 1:1), which Ken Burns never asks for, takes the scalar path.
 */
export function resamplePlane(src: usize, sw: i32, sh: i32, dst: usize, dw: i32, dh: i32, ax: f64, bx: f64, ay: f64, by: f64, tmp: usize, tab: usize): void {
  const first = clampF(ax * 0.5 + bx - 0.5, 0, <f64>(sw - 1));
  const last = clampF(ax * (<f64>dw - 0.5) + bx - 0.5, 0, <f64>(sw - 1));
  const c0 = min(<i32>Math.floor(first), sw - 2);
  const c1 = min(<i32>Math.ceil(last) + 1, sw - 1);
  const tw = c1 - c0 + 1;
  const stride = tmpStride(tw);
  verticalPass(src, sw, sh, dh, ay, by, c0, tw, stride, tmp);
  if (ax <= 1) horizontalPassSimd(dst, dw, dh, ax, bx - <f64>c0, tw, stride, tmp, tab);
  else horizontalPassScalar(dst, dw, dh, ax, bx - <f64>c0, tw, stride, tmp);
}

@inline
function clampF(v: f64, lo: f64, hi: f64): f64 {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Source index and 8-bit weight of the sample at continuous position `s` (already clamped to the plane). */
@inline
function splitPosition(s: f64, maxIndex: i32): i64 {
  let i = <i32>Math.floor(s);
  let w = <i32>Math.round((s - <f64>i) * 256);
  if (w == 256) {
    i += 1;
    w = 0;
  }
  if (i > maxIndex) {
    w = 256;
    i = maxIndex;
  }
  return (<i64>i << 32) | <i64>w;
}

function verticalPass(src: usize, sw: i32, sh: i32, dh: i32, ay: f64, by: f64, c0: i32, tw: i32, stride: i32, tmp: usize): void {
  const maxY = <f64>(sh - 1);
  for (let y = 0; y < dh; y++) {
    const split = splitPosition(clampF(ay * (<f64>y + 0.5) + by - 0.5, 0, maxY), sh - 2);
    const iy = <i32>(split >> 32);
    const w = <i32>(split & 0x1ff);
    const wb = i16x8.splat(<i16>w);
    const wa = i16x8.splat(<i16>(256 - w));
    const a = src + <usize>(iy * sw + c0);
    const b = a + <usize>sw;
    const t = tmp + <usize>(y * stride);
    for (let x = 0; x < tw; x += 16) {
      const va = v128.load(a + <usize>x);
      const vb = v128.load(b + <usize>x);
      // u8 × (0..256) sums stay below 2^16: i16 lanes wrap, but hold the exact unsigned value.
      v128.store(t + <usize>(x << 1), i16x8.add(i16x8.mul(i16x8.extend_low_i8x16_u(va), wa), i16x8.mul(i16x8.extend_low_i8x16_u(vb), wb)));
      v128.store(t + <usize>(x << 1) + 16, i16x8.add(i16x8.mul(i16x8.extend_high_i8x16_u(va), wa), i16x8.mul(i16x8.extend_high_i8x16_u(vb), wb)));
    }
  }
}

function horizontalPassSimd(dst: usize, dw: i32, dh: i32, ax: f64, bx: f64, tw: i32, stride: i32, tmp: usize, tab: usize): void {
  const groups = (dw + 7) >> 3;
  const maxX = <f64>(tw - 1);
  // Per group of 8 outputs: [0] byte offset of its first sample, [16] byte shuffle picking each lane's sample
  // (and, from the copy loaded one sample later, its right neighbour), [32] right weights, [48] left weights.
  // With ax ≤ 1 the 8 outputs span at most 8 neighbouring samples, so one 16-byte load covers them.
  for (let g = 0; g < groups; g++) {
    const e = tab + <usize>(g << 6);
    let base = 0;
    for (let k = 0; k < 8; k++) {
      const split = splitPosition(clampF(ax * (<f64>(g * 8 + k) + 0.5) + bx - 0.5, 0, maxX), tw - 2);
      const i = <i32>(split >> 32);
      const w = <i32>(split & 0x1ff);
      if (k == 0) base = i;
      const r = min(i - base, 7);
      store<u8>(e + 16 + (k << 1), <u8>(r << 1));
      store<u8>(e + 17 + (k << 1), <u8>((r << 1) + 1));
      store<u16>(e + 32 + (k << 1), <u16>w);
      store<u16>(e + 48 + (k << 1), <u16>(256 - w));
    }
    store<i32>(e, base << 1);
  }
  const half = i32x4.splat(1 << 15);
  const zero = i16x8.splat(0);
  for (let y = 0; y < dh; y++) {
    const t = tmp + <usize>(y * stride);
    const d = dst + <usize>(y * dw);
    for (let g = 0; g < groups; g++) {
      const e = tab + <usize>(g << 6);
      const q = t + <usize>load<i32>(e);
      const mask = v128.load(e, 16);
      const right = v128.load(e, 32);
      const left = v128.load(e, 48);
      const A = i8x16.swizzle(v128.load(q), mask);
      const B = i8x16.swizzle(v128.load(q, 2), mask);
      const lo = i32x4.shr_u(i32x4.add(i32x4.add(i32x4.extmul_low_i16x8_u(A, left), i32x4.extmul_low_i16x8_u(B, right)), half), 16);
      const hi = i32x4.shr_u(i32x4.add(i32x4.add(i32x4.extmul_high_i16x8_u(A, left), i32x4.extmul_high_i16x8_u(B, right)), half), 16);
      v128.store64_lane(d + <usize>(g << 3), i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(lo, hi), zero), 0);
    }
  }
}

function horizontalPassScalar(dst: usize, dw: i32, dh: i32, ax: f64, bx: f64, tw: i32, stride: i32, tmp: usize): void {
  const maxX = <f64>(tw - 1);
  for (let y = 0; y < dh; y++) {
    const t = tmp + <usize>(y * stride);
    const d = dst + <usize>(y * dw);
    for (let x = 0; x < dw; x++) {
      const split = splitPosition(clampF(ax * (<f64>x + 0.5) + bx - 0.5, 0, maxX), tw - 2);
      const q = t + <usize>(<i32>(split >> 32) << 1);
      const w = <u32>(split & 0x1ff);
      store<u8>(d + <usize>x, <u8>((<u32>load<u16>(q) * (256 - w) + <u32>load<u16>(q, 2) * w + 32768) >> 16));
    }
  }
}
