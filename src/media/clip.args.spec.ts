import { buildClipArgs, buildKenBurnsFilter, cameraPathFor, fmt, frameCount } from './clip.args';

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

describe('buildKenBurnsFilter', () => {
  it('should animate the zoom of a zoom-in with eased frame progress', () => {
    const e = '(0.8*(on/59)+0.2*(on/59)*(on/59)*(3-2*(on/59)))';
    const z = `(1+0.15*${e})`;
    const l = `(W*(0.5+0))-W/${z}/2`;
    const r = `(W*(0.5+0))+W/${z}/2`;
    const t = `(H*(0.5+0))-H/${z}/2`;
    const b = `(H*(0.5+0))+H/${z}/2`;
    expect(buildKenBurnsFilter(cameraPathFor('zoom_in'), 60)).toBe(
      `perspective=x0='${l}':y0='${t}':x1='${r}':y1='${t}':x2='${l}':y2='${b}':x3='${r}':y3='${b}':sense=source:eval=frame`,
    );
  });

  it('should keep the zoom constant and move the centre for a pan', () => {
    const f = buildKenBurnsFilter(cameraPathFor('pan_right'), 31);
    expect(f).toContain("x0='(W*(0.5+(-0.048214+0.096429*(0.8*(on/30)+0.2*(on/30)*(on/30)*(3-2*(on/30))))))-W/1.12/2'");
    expect(f).toContain("y0='(H*(0.5+0))-H/1.12/2'");
  });
});

describe('buildClipArgs', () => {
  it('should decode the still once, loop it, move the camera and encode a cheap intermediate', () => {
    const args = buildClipArgs({ stillPath: '/w/s.jpg', outputPath: '/w/c.mp4', durationSeconds: 2, motion: 'zoom_out' });
    const graph = args[args.indexOf('-filter_complex') + 1];
    expect(graph.startsWith('[0:v]scale=out_color_matrix=bt709:out_range=tv,format=yuv420p,loop=loop=59:size=1:start=0,setpts=N/30/TB,perspective=')).toBe(true);
    expect(graph.endsWith(':sense=source:eval=frame,setsar=1[v]')).toBe(true);
    expect(args.filter((a) => a !== graph)).toEqual([
      '-loglevel', 'error', '-y', '-i', '/w/s.jpg', '-filter_complex', '-map', '[v]', '-frames:v', '60', '-r', '30',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '17', '-pix_fmt', 'yuv420p',
      '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv',
      '-movflags', '+faststart', '-an', '/w/c.mp4',
    ]);
  });
});
