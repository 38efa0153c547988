import { createCanvas } from '@napi-rs/canvas';
import { InvalidAssetError, checkJpegStructure, checkPngStructure, sniffKind } from './asset-inspector';

const png = (() => {
  const c = createCanvas(40, 30);
  c.getContext('2d').fillRect(5, 5, 10, 10);
  return c.toBuffer('image/png');
})();
const jpeg = (() => {
  const c = createCanvas(64, 48);
  const ctx = c.getContext('2d');
  ctx.fillStyle = '#c84';
  ctx.fillRect(0, 0, 64, 48);
  return c.toBuffer('image/jpeg', 80);
})();
const zip = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(40, 1)]);

const reasonOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidAssetError) return err.reason;
    throw err;
  }
  return 'accepted';
};

describe('asset content checks', () => {
  it('should sniff kinds by magic bytes only', () => {
    expect(sniffKind(png)).toBe('png');
    expect(sniffKind(jpeg)).toBe('jpeg');
    expect(sniffKind(Buffer.from('\0\0\0\x18ftypisom\0\0\0\0', 'latin1'))).toBe('mp4');
    expect(sniffKind(Buffer.from('\0\0\0\x14ftypqt  \0\0\0\0', 'latin1'))).toBe('mov');
    expect(sniffKind(zip)).toBeNull();
    expect(sniffKind(Buffer.from('GIF89a..........'))).toBeNull();
  });

  it('should read a PNG and refuse it truncated, corrupted or with anything after IEND', () => {
    expect(checkPngStructure(png)).toEqual({ width: 40, height: 30 });
    expect(reasonOf(() => checkPngStructure(png.subarray(0, png.length - 5)))).toBe('truncated');
    expect(reasonOf(() => checkPngStructure(png.subarray(0, 40)))).toBe('truncated');
    expect(reasonOf(() => checkPngStructure(Buffer.concat([png, zip])))).toBe('trailing_data');
    expect(reasonOf(() => checkPngStructure(Buffer.concat([png, Buffer.alloc(1)])))).toBe('trailing_data');
    const flipped = Buffer.from(png);
    flipped[png.length - 20] ^= 0x40;
    expect(reasonOf(() => checkPngStructure(flipped))).toBe('corrupt');
  });

  it('should read a JPEG, allow padding or a second complete image after EOI, and refuse truncation or an appended archive', () => {
    expect(checkJpegStructure(jpeg)).toEqual({ width: 64, height: 48 });
    expect(checkJpegStructure(Buffer.concat([jpeg, Buffer.alloc(64)]))).toEqual({ width: 64, height: 48 });
    expect(checkJpegStructure(Buffer.concat([jpeg, jpeg]))).toEqual({ width: 64, height: 48 });
    expect(reasonOf(() => checkJpegStructure(jpeg.subarray(0, jpeg.length - 2)))).toBe('truncated');
    expect(reasonOf(() => checkJpegStructure(jpeg.subarray(0, Math.floor(jpeg.length / 2))))).toBe('truncated');
    expect(reasonOf(() => checkJpegStructure(Buffer.concat([jpeg, zip])))).toBe('trailing_data');
    expect(reasonOf(() => checkJpegStructure(Buffer.concat([jpeg, jpeg.subarray(0, 100)])))).toBe('trailing_data');
  });
});
