import { applyGrade, gradeTables } from './grade';
import { buildGradeFilter } from './composition.args';

describe('gradeTables', () => {
  it('should be null for neutral, like the composition filter', () => {
    expect(gradeTables('neutral')).toBeNull();
    expect(buildGradeFilter('neutral')).toBeNull();
  });

  it('should raise luma contrast about 126 and clip to 16-235 (luxury: 1.08)', () => {
    const t = gradeTables('luxury')!;
    expect(t.y[126]).toBe(126);
    expect(t.y[176]).toBe(180); // 126 + 50 × 1.08 = 180
    expect(t.y[16]).toBe(16); // 126 − 110 × 1.08 = 7.2, clipped
    expect(t.y[235]).toBe(235);
  });

  it('should scale chroma about 128 and shift it (warm: saturation 1.05, U −4, V +5), clipped to 16-240', () => {
    const t = gradeTables('warm')!;
    expect(t.u[128]).toBe(124);
    expect(t.v[128]).toBe(133);
    expect(t.u[228]).toBe(229); // 128 + 100 × 1.05 − 4 = 229
    expect(t.v[250]).toBe(240);
  });

  it('should truncate the value as ffmpeg 5.1\'s lut filters do', () => {
    // luxury Y: (33 − 126) × 1.08 + 126 = 25.56 → 25; warm U: (118 − 128) × 1.05 + 124 = 113.5 → 113
    expect(gradeTables('luxury')!.y[33]).toBe(25);
    expect(gradeTables('warm')!.u[118]).toBe(113);
  });
});

describe('applyGrade', () => {
  it('should map each plane through its table and leave the input alone', () => {
    const data = new Uint8Array([100, 126, 176, 200, 128, 140]); // 2×2 luma, one U, one V
    const graded = applyGrade({ widthPx: 2, heightPx: 2, data }, 'luxury');
    const t = gradeTables('luxury')!;
    expect([...graded.data]).toEqual([t.y[100], t.y[126], t.y[176], t.y[200], t.u[128], t.v[140]]);
    expect([...data]).toEqual([100, 126, 176, 200, 128, 140]);
  });

  it('should return the picture itself for neutral', () => {
    const image = { widthPx: 2, heightPx: 2, data: new Uint8Array(6) };
    expect(applyGrade(image, 'neutral')).toBe(image);
  });
});
