import { buildClipArgs, cameraPathFor, cameraWindowAt, fmt, frameCount } from './clip.args';

describe('fmt', () => {
  it.each([
    [1, '1'],
    [0.5, '0.5'],
    [1 / 3, '0.333333'],
    [-0.0000001, '0'],
    [29.7, '29.7'],
  ])('should print %p as %p', (x, s) => {
    expect(fmt(x)).toBe(s);
  });
});

describe('frameCount', () => {
  it.each([
    [8, 240],
    [7.5, 225],
    [5.01, 151],
    [0, 1],
  ])('should give %p s %p frames at 30 fps', (seconds, frames) => {
    expect(frameCount(seconds)).toBe(frames);
  });
});

describe('cameraPathFor', () => {
  it.each([
    ['zoom_in', { zoomFrom: 1, zoomTo: 1.15, dxFrom: 0, dxTo: 0, dyFrom: 0, dyTo: 0 }],
    ['zoom_out', { zoomFrom: 1.15, zoomTo: 1, dxFrom: 0, dxTo: 0, dyFrom: 0, dyTo: 0 }],
    ['pan_left', { zoomFrom: 1.12, zoomTo: 1.12, dxFrom: 0.048214, dxTo: -0.048214, dyFrom: 0, dyTo: 0 }],
    ['pan_right', { zoomFrom: 1.12, zoomTo: 1.12, dxFrom: -0.048214, dxTo: 0.048214, dyFrom: 0, dyTo: 0 }],
    ['pan_up', { zoomFrom: 1.12, zoomTo: 1.12, dxFrom: 0, dxTo: 0, dyFrom: 0.048214, dyTo: -0.048214 }],
    ['pan_down', { zoomFrom: 1.12, zoomTo: 1.12, dxFrom: 0, dxTo: 0, dyFrom: -0.048214, dyTo: 0.048214 }],
  ] as const)('should move the window for %s', (motion, path) => {
    const actual = cameraPathFor(motion);
    for (const [k, v] of Object.entries(path)) expect(actual[k as keyof typeof actual]).toBeCloseTo(v, 6);
  });

  it('should keep every pan window inside the still', () => {
    for (const motion of ['pan_left', 'pan_right', 'pan_up', 'pan_down'] as const) {
      const p = cameraPathFor(motion);
      const room = (1 - 1 / p.zoomFrom) / 2;
      expect(Math.max(Math.abs(p.dxFrom), Math.abs(p.dxTo), Math.abs(p.dyFrom), Math.abs(p.dyTo))).toBeLessThan(room);
    }
  });
});

describe('cameraWindowAt', () => {
  const W = 1080;
  const H = 1920;

  it('should show the whole still at the start of a zoom-in and 1/1.15 of it, centred, at the end', () => {
    const path = cameraPathFor('zoom_in');
    expect(cameraWindowAt(path, 0, 60, W, H)).toEqual({ leftPx: 0, topPx: 0, zoom: 1 });
    const end = cameraWindowAt(path, 59, 60, W, H);
    expect(end.zoom).toBeCloseTo(1.15, 12);
    expect(end.leftPx).toBeCloseTo((W - W / 1.15) / 2, 9);
    expect(end.topPx).toBeCloseTo((H - H / 1.15) / 2, 9);
  });

  it('should ease: 80 % linear plus 20 % smoothstep of the frame progress', () => {
    const path = cameraPathFor('zoom_in');
    const p = 10 / 59;
    const e = 0.8 * p + 0.2 * p * p * (3 - 2 * p);
    expect(cameraWindowAt(path, 10, 60, W, H).zoom).toBeCloseTo(1 + 0.15 * e, 12);
    expect(cameraWindowAt(path, 30, 61, W, H).zoom).toBeCloseTo(1.075, 12);
  });

  it('should keep the zoom and move the window left to right for a pan right, inside the still', () => {
    const path = cameraPathFor('pan_right');
    const windows = Array.from({ length: 31 }, (_, i) => cameraWindowAt(path, i, 31, W, H));
    for (const w of windows) {
      expect(w.zoom).toBe(1.12);
      expect(w.topPx).toBeCloseTo((H - H / 1.12) / 2, 9);
      expect(w.leftPx).toBeGreaterThanOrEqual(0);
      expect(w.leftPx + W / w.zoom).toBeLessThanOrEqual(W);
    }
    for (let i = 1; i < windows.length; i++) expect(windows[i].leftPx).toBeGreaterThan(windows[i - 1].leftPx);
  });

  it('should give a one-frame clip its first window', () => {
    expect(cameraWindowAt(cameraPathFor('zoom_out'), 0, 1, W, H).zoom).toBe(1.15);
  });
});

describe('buildClipArgs', () => {
  it('should encode raw BT.709 yuv420p frames from standard input into a cheap tagged intermediate', () => {
    expect(buildClipArgs({ widthPx: 1080, heightPx: 1920, frames: 60, outputPath: '/w/c.mp4' })).toEqual([
      '-loglevel', 'error', '-y',
      '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-video_size', '1080x1920', '-framerate', '30', '-i', 'pipe:0',
      '-frames:v', '60',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '17', '-pix_fmt', 'yuv420p',
      '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv',
      '-movflags', '+faststart', '-an', '/w/c.mp4',
    ]);
  });
});
