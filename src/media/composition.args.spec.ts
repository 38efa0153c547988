import {
  buildCompositionArgs,
  buildCompositionGraph,
  buildGifArgs,
  buildGradeFilter,
  buildOverlayY,
  buildWebmArgs,
  type CompositionSpec,
} from './composition.args';

function spec(overrides: Partial<CompositionSpec> = {}): CompositionSpec {
  return {
    widthPx: 1080,
    heightPx: 1920,
    durationSeconds: 12,
    clips: [
      { path: '/w/clip-1.mp4', seconds: 4.5 },
      { path: '/w/clip-2.mp4', seconds: 4.5 },
      { path: '/w/clip-3.mp4', seconds: 4 },
    ],
    transitions: [
      { xfade: 'fade', seconds: 0.5 },
      { xfade: 'slideleft', seconds: 0.5 },
    ],
    texts: [{ path: '/w/t/text-1.png', xPx: 102, yPx: 1300, startSeconds: 0.35, endSeconds: 4, fadeSeconds: 0.4 }],
    musicPath: '/w/t/music.wav',
    musicGainDb: 10.7,
    grade: 'neutral',
    fadeSeconds: 0.3,
    graphPath: '/w/t/graph.txt',
    outputPath: '/w/t/out.mp4',
    preset: 'veryfast',
    crf: 21,
    ...overrides,
  };
}

const NORM = 'scale=1080:1920:force_original_aspect_ratio=increase,crop=1080:1920,fps=30,format=yuv420p,setsar=1';

describe('buildCompositionGraph', () => {
  it('should split clips into head/body/tail, fade only the overlaps, then text, fades and normalised audio', () => {
    expect(buildCompositionGraph(spec()).split(';\n')).toEqual([
      `[0:v]${NORM},tpad=stop_mode=clone:stop_duration=4.5,trim=end_frame=135,setpts=PTS-STARTPTS,split=2[b0s][t0s]`,
      '[b0s]trim=start_frame=0:end_frame=120,setpts=PTS-STARTPTS[b0]',
      '[t0s]trim=start_frame=120,setpts=PTS-STARTPTS[t0]',
      `[1:v]${NORM},tpad=stop_mode=clone:stop_duration=4.5,trim=end_frame=135,setpts=PTS-STARTPTS,split=3[h1s][b1s][t1s]`,
      '[h1s]trim=end_frame=15[h1]',
      '[b1s]trim=start_frame=15:end_frame=120,setpts=PTS-STARTPTS[b1]',
      '[t1s]trim=start_frame=120,setpts=PTS-STARTPTS[t1]',
      `[2:v]${NORM},tpad=stop_mode=clone:stop_duration=4,trim=end_frame=120,setpts=PTS-STARTPTS,split=2[h2s][b2s]`,
      '[h2s]trim=end_frame=15[h2]',
      '[b2s]trim=start_frame=15:end_frame=120,setpts=PTS-STARTPTS[b2]',
      '[t0][h1]xfade=transition=fade:duration=0.5:offset=0[x0]',
      '[t1][h2]xfade=transition=slideleft:duration=0.5:offset=0[x1]',
      '[b0][x0][b1][x1][b2]concat=n=5:v=1:a=0[joined]',
      '[4:v]scale=out_color_matrix=bt709:out_range=tv,format=yuva420p,loop=loop=109:size=1:start=0,setpts=N/30/TB+0.35/TB,' +
        'fade=t=in:st=0.35:d=0.4:alpha=1,fade=t=out:st=3.6:d=0.4:alpha=1[c0]',
      "[joined][c0]overlay=x=102:y=1300:eof_action=pass:enable='between(t,0.35,4)'[o0]",
      '[o0]fade=t=in:st=0:d=0.3,fade=t=out:st=11.7:d=0.3,format=yuv420p[vout]',
      '[3:a]volume=10.7dB,aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,apad,atrim=duration=12[aout]\n',
    ]);
  });

  it('should total the requested duration: bodies plus overlaps, in frames', () => {
    const graph = buildCompositionGraph(spec());
    const frames = [...graph.matchAll(/trim=start_frame=(\d+):end_frame=(\d+)/g)].reduce((sum, m) => sum + Number(m[2]) - Number(m[1]), 0);
    expect(frames + 2 * 15).toBe(12 * 30);
  });

  it('should grade each clip in its own chain, before the transitions and the text', () => {
    const graph = buildCompositionGraph(spec({ grade: 'warm' }));
    for (let i = 0; i < 3; i++) expect(graph).toContain(`[${i}:v]${NORM},${buildGradeFilter('warm')},tpad=`);
    expect(graph).toContain('[joined][c0]overlay=');
  });

  it('should not grade again a clip whose provider already graded it', () => {
    const clips = spec().clips.map((c, i) => ({ ...c, graded: i !== 1 }));
    const graph = buildCompositionGraph(spec({ grade: 'luxury', clips }));
    expect(graph.match(/lutyuv/g)).toHaveLength(1);
    expect(graph).toContain(`[1:v]${NORM},${buildGradeFilter('luxury')},tpad=`);
    expect(graph).toContain(`[0:v]${NORM},tpad=`);
  });

  it('should cut without xfade when a transition lasts 0 s', () => {
    const graph = buildCompositionGraph(spec({ clips: [{ path: 'a', seconds: 3 }, { path: 'b', seconds: 3 }], transitions: [{ xfade: 'fade', seconds: 0 }], texts: [], durationSeconds: 6 }));
    expect(graph).not.toContain('xfade');
    expect(graph).toContain('[b0][b1]concat=n=2:v=1:a=0[joined]');
  });

  it('should pad a short clip by cloning its last frame and cut a long one by frame count', () => {
    const graph = buildCompositionGraph(spec({ clips: [{ path: 'a', seconds: 6 }], transitions: [], texts: [], durationSeconds: 6 }));
    expect(graph.split(';\n')[0]).toBe(`[0:v]${NORM},tpad=stop_mode=clone:stop_duration=6,trim=end_frame=180,setpts=PTS-STARTPTS[b0]`);
  });
});

describe('buildGradeFilter', () => {
  it.each([
    ['neutral', null],
    ['warm', "lutyuv=y='clip((val-126)*1.03+126,16,235)':u='clip((val-128)*1.05+124,16,240)':v='clip((val-128)*1.05+133,16,240)'"],
    ['cool', "lutyuv=y='clip((val-126)*1.03+126,16,235)':u='clip((val-128)*1+133,16,240)':v='clip((val-128)*1+125,16,240)'"],
    ['luxury', "lutyuv=y='clip((val-126)*1.08+126,16,235)':u='clip((val-128)*0.94+125,16,240)':v='clip((val-128)*0.94+131,16,240)'"],
  ] as const)('should grade %s', (grade, filter) => {
    expect(buildGradeFilter(grade)).toBe(filter);
  });
});

describe('buildCompositionArgs', () => {
  it('should map the graph outputs and use the delivery settings of docs/design/composition.md', () => {
    expect(buildCompositionArgs(spec())).toEqual([
      '-loglevel', 'warning', '-y',
      '-i', '/w/clip-1.mp4', '-i', '/w/clip-2.mp4', '-i', '/w/clip-3.mp4', '-i', '/w/t/music.wav', '-i', '/w/t/text-1.png',
      '-filter_complex_script', '/w/t/graph.txt', '-map', '[vout]', '-map', '[aout]',
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '21', '-profile:v', 'high', '-pix_fmt', 'yuv420p', '-r', '30', '-g', '60',
      '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv',
      '-c:a', 'aac', '-b:a', '192k', '-ar', '48000', '-ac', '2', '-t', '12', '-movflags', '+faststart', '-f', 'mp4', '/w/t/out.mp4',
    ]);
  });
});

describe('the thumbnail output', () => {
  it('should branch one frame of the finished picture to a JPEG written by the same run', () => {
    const thumbnail = { atSeconds: 2.25, path: '/w/t/thumb.jpg' };
    const lines = buildCompositionGraph(spec({ thumbnail })).split(';\n');
    expect(lines).toContain('[o0]fade=t=in:st=0:d=0.3,fade=t=out:st=11.7:d=0.3,format=yuv420p,split=2[vout][vthumb]');
    expect(lines).toContain('[vthumb]trim=start_frame=68:end_frame=69,setpts=PTS-STARTPTS[thumb]');
    expect(buildCompositionArgs(spec({ thumbnail })).slice(-12)).toEqual(['-f', 'mp4', '/w/t/out.mp4', '-map', '[thumb]', '-frames:v', '1', '-q:v', '3', '-update', '1', '/w/t/thumb.jpg']);
  });

  it('should write no thumbnail output without one', () => {
    expect(buildCompositionGraph(spec())).not.toContain('[thumb]');
    expect(buildCompositionArgs(spec())).not.toContain('[thumb]');
  });
});

describe('buildOverlayY', () => {
  it('should place a fading card at a fixed row', () => {
    expect(buildOverlayY({ yPx: 1300, startSeconds: 0.35 })).toBe('1300');
    expect(buildOverlayY({ yPx: 1300, startSeconds: 0.35, slideUpPx: 0 })).toBe('1300');
  });

  it('should ease a sliding card up from yPx + slideUpPx to yPx in 0.5 s, quoted for the graph parser', () => {
    expect(buildOverlayY({ yPx: 1300, startSeconds: 8.2, slideUpPx: 42 })).toBe("'1300+42*pow(1-clip((t-8.2)/0.5,0,1),3)'");
  });

  it('should use the expression in the overlay of a sliding card', () => {
    const texts = [{ path: '/w/t/text-1.png', xPx: 102, yPx: 1300, startSeconds: 0.35, endSeconds: 4, fadeSeconds: 0.4, slideUpPx: 40 }];
    expect(buildCompositionGraph(spec({ texts }))).toContain(
      "[joined][c0]overlay=x=102:y='1300+40*pow(1-clip((t-0.35)/0.5,0,1),3)':eof_action=pass:enable='between(t,0.35,4)'[o0]",
    );
  });
});

describe('buildGifArgs', () => {
  it('should cut the excerpt, scale to 360 px and map it onto its own palette in one run', () => {
    expect(buildGifArgs({ videoPath: '/w/final.mp4', outputPath: '/w/t/preview.gif', startSeconds: 0.35, durationSeconds: 6, widthPx: 360, fps: 12 })).toEqual([
      '-loglevel', 'error', '-y', '-ss', '0.35', '-t', '6', '-i', '/w/final.mp4',
      '-filter_complex',
      '[0:v]fps=12,scale=360:-2:flags=lanczos,split[a][b];[a]palettegen=max_colors=128:stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=4:diff_mode=rectangle[g]',
      '-map', '[g]', '-loop', '0', '-f', 'gif', '/w/t/preview.gif',
    ]);
  });
});

describe('buildWebmArgs', () => {
  it('should encode VP9 in realtime mode at cpu-used 8 with Opus audio and BT.709 tags', () => {
    expect(buildWebmArgs('/w/final.mp4', '/w/t/final.webm')).toEqual([
      '-loglevel', 'warning', '-y', '-i', '/w/final.mp4', '-map', '0:v:0', '-map', '0:a:0',
      '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1', '-crf', '33', '-b:v', '4M', '-pix_fmt', 'yuv420p', '-g', '60',
      '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv',
      '-c:a', 'libopus', '-b:a', '128k', '-ar', '48000', '-ac', '2', '-f', 'webm', '/w/t/final.webm',
    ]);
  });
});
