import { createCanvas } from '@napi-rs/canvas';
import { anyTransparent, pngDeclaresAlpha } from './ad-assets.resolver';

const png = (alpha: number): Buffer => {
  const c = createCanvas(40, 20);
  const ctx = c.getContext('2d');
  ctx.fillStyle = `rgba(200, 30, 90, ${alpha})`;
  ctx.fillRect(0, 0, 40, 20);
  return c.toBuffer('image/png');
};

describe('pngDeclaresAlpha', () => {
  it('should see the RGBA colour type of a canvas PNG', () => {
    expect(pngDeclaresAlpha(png(0.5))).toBe(true);
  });

  it('should refuse anything that is not a PNG header', () => {
    expect(pngDeclaresAlpha(Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...new Array(40).fill(0)]))).toBe(false);
    expect(pngDeclaresAlpha(Buffer.alloc(10))).toBe(false);
  });

  it('should see a tRNS chunk of an RGB PNG', () => {
    const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const chunk = (type: string, data: Buffer): Buffer => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(data.length);
      return Buffer.concat([len, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(4, 0);
    ihdr.writeUInt32BE(4, 4);
    ihdr[8] = 8;
    ihdr[9] = 2; // RGB
    const withTrns = Buffer.concat([sig, chunk('IHDR', ihdr), chunk('tRNS', Buffer.alloc(6)), chunk('IDAT', Buffer.alloc(2))]);
    const without = Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', Buffer.alloc(2))]);
    expect(pngDeclaresAlpha(withTrns)).toBe(true);
    expect(pngDeclaresAlpha(without)).toBe(false);
  });
});

describe('anyTransparent', () => {
  it('should tell a see-through picture from an opaque one', () => {
    const see = createCanvas(300, 300).getContext('2d');
    see.fillStyle = '#123456';
    see.fillRect(0, 0, 300, 150);
    expect(anyTransparent(see.getImageData(0, 0, 300, 300).data, 300, 300)).toBe(true);
    see.fillRect(0, 0, 300, 300);
    expect(anyTransparent(see.getImageData(0, 0, 300, 300).data, 300, 300)).toBe(false);
  });
});
