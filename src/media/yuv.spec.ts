import { rgbaToYuv420, yuv420FrameBytes } from './yuv';

/** A w×h RGBA picture of one colour. */
function solid(w: number, h: number, [r, g, b]: [number, number, number]): Uint8Array {
  const px = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) px.set([r, g, b, 255], i * 4);
  return px;
}

describe('rgbaToYuv420', () => {
  it.each([
    ['white', [255, 255, 255], [235, 128, 128]],
    ['black', [0, 0, 0], [16, 128, 128]],
    // Exact BT.709 limited-range values (ffmpeg's integer swscale lands within 2 of them).
    ['red', [255, 0, 0], [63, 102, 240]],
    ['green', [0, 255, 0], [173, 42, 26]],
    ['blue', [0, 0, 255], [32, 240, 118]],
    ['gold #D4AF37', [0xd4, 0xaf, 0x37], [166, 72, 149]],
  ] as const)('should convert %s with the BT.709 matrix into limited range', (_name, rgb, [y, u, v]) => {
    const img = rgbaToYuv420(solid(4, 2, [...rgb]), 4, 2);
    expect(img.data.length).toBe(yuv420FrameBytes(4, 2));
    expect([...img.data.subarray(0, 8)]).toEqual(Array(8).fill(y));
    expect([...img.data.subarray(8, 10)]).toEqual([u, u]);
    expect([...img.data.subarray(10, 12)]).toEqual([v, v]);
  });

  it('should take chroma from the mean of each 2×2 block and keep luma per pixel', () => {
    const px = solid(2, 2, [0, 0, 0]);
    px.set([255, 255, 255, 255], 0); // top-left white, three black
    const { data } = rgbaToYuv420(px, 2, 2);
    expect([...data]).toEqual([235, 16, 16, 16, 128, 128]);
  });

  it('should lay out Y, then U, then V without padding', () => {
    const img = rgbaToYuv420(solid(6, 4, [10, 20, 30]), 6, 4);
    expect(img).toMatchObject({ widthPx: 6, heightPx: 4 });
    expect(img.data.length).toBe(6 * 4 + 2 * 3 * 2);
  });

  it('should refuse odd sizes and mismatched data', () => {
    expect(() => rgbaToYuv420(new Uint8Array(3 * 2 * 4), 3, 2)).toThrow(/even/);
    expect(() => rgbaToYuv420(new Uint8Array(10), 2, 2)).toThrow(/RGBA bytes/);
  });
});
