import { buildFootageClipArgs, buildFootageStillArgs } from './footage.args';

const spec = { inputPath: '/in.mov', outputPath: '/out.mp4', widthPx: 1080, heightPx: 1920, preset: 'veryfast', crf: 20 };
const graphOf = (args: string[]): string => args[args.indexOf('-filter_complex') + 1];

describe('buildFootageClipArgs', () => {
  it('should cover-crop footage of a near shape and trim it to the clip', () => {
    const g = graphOf(buildFootageClipArgs({ ...spec, shape: { widthPx: 1080, heightPx: 1600 }, sourceSeconds: 20, clipSeconds: 5.5 }));
    expect(g).toContain('force_original_aspect_ratio=increase,crop=1080:1920');
    expect(g).toContain('trim=duration=5.5');
    expect(g).not.toContain('setpts=(PTS-STARTPTS)*');
  });

  it('should fit landscape footage over its blurred copy in a portrait frame and slow a short one down', () => {
    const g = graphOf(buildFootageClipArgs({ ...spec, shape: { widthPx: 640, heightPx: 360 }, sourceSeconds: 3, clipSeconds: 6 }));
    expect(g).toContain('boxblur');
    expect(g).toContain('setpts=(PTS-STARTPTS)*2');
    expect(g).toContain('tpad=stop_mode=clone');
  });

  it('should write 30 fps H.264 without audio', () => {
    const args = buildFootageClipArgs({ ...spec, shape: { widthPx: 1080, heightPx: 1920 }, sourceSeconds: 10, clipSeconds: 4 });
    expect(graphOf(args)).toContain('fps=30');
    expect(args).toEqual(expect.arrayContaining(['-an', '-c:v', 'libx264', '-pix_fmt', 'yuv420p']));
    expect(args[args.length - 1]).toBe('/out.mp4');
  });
});

describe('buildFootageStillArgs', () => {
  it('should take one frame at the given time, fitted to the frame as the clip is', () => {
    const args = buildFootageStillArgs({ inputPath: '/in.mp4', outputPath: '/s.png', shape: { widthPx: 640, heightPx: 360 }, widthPx: 1080, heightPx: 1920, atSeconds: 0.75 });
    expect(args.slice(args.indexOf('-ss'), args.indexOf('-ss') + 2)).toEqual(['-ss', '0.75']);
    expect(graphOf(args)).toContain('boxblur');
    expect(args).toEqual(expect.arrayContaining(['-frames:v', '1']));
  });
});
