import { buildGifExportArgs, exportFileName, exportWeight, gifExportSize } from './export.args';

describe('buildGifExportArgs', () => {
  it('should export the whole ad at 12 fps with a 64-colour palette made from the ad', () => {
    expect(buildGifExportArgs('/w/final.mp4', '/w/t/try1-export.gif', 15, 1080, 1920)).toEqual([
      '-loglevel', 'error',
      '-y',
      '-t', '15',
      '-i', '/w/final.mp4',
      '-filter_complex',
      '[0:v]fps=12,scale=360:640:flags=lanczos,split[a][b];[a]palettegen=max_colors=64:stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=5:diff_mode=rectangle[g]',
      '-map', '[g]',
      '-loop', '0',
      '-f', 'gif',
      '/w/t/try1-export.gif',
    ]);
  });

  it('should take the duration as given, in seconds', () => {
    const args = buildGifExportArgs('/w/final.mp4', '/w/o.gif', 29.5, 1920, 1080);
    expect(args[args.indexOf('-t') + 1]).toBe('29.5');
    expect(args[args.indexOf('-filter_complex') + 1]).toContain('scale=480:270:');
  });
});

describe('gifExportSize', () => {
  it.each([
    [1080, 1920, 360, 640],
    [1920, 1080, 480, 270],
    [1080, 1080, 480, 480],
    // A fifth-size test render is never scaled up.
    [216, 384, 216, 384],
    [384, 216, 384, 216],
  ])('should fit %ix%i into %ix%i', (w, h, gw, gh) => {
    expect(gifExportSize(w, h)).toEqual({ widthPx: gw, heightPx: gh });
  });
});

describe('exportFileName', () => {
  it.each([
    ['gif', 'export.gif'],
    ['webm', 'export.webm'],
    ['mp4:16:9', 'export-16x9.mp4'],
    ['mp4:1:1', 'export-1x1.mp4'],
    ['mp4:9:16', 'export-9x16.mp4'],
  ] as const)('should name the %s export %s, apart from final.mp4, preview.gif and final.webm', (format, name) => {
    expect(exportFileName(format)).toBe(name);
  });
});

describe('exportWeight', () => {
  it('should weigh a re-composition like the ad and the transcodes below it', () => {
    expect(exportWeight('mp4:16:9')).toBe(1);
    expect(exportWeight('gif')).toBeLessThan(exportWeight('webm'));
    expect(exportWeight('webm')).toBeLessThan(1);
  });
});
