import { arrangeMusic, buildChordExpressions, buildMusicBedArgs, buildMusicBedGraph, buildRhythmExpression, musicStyleFor } from './music-bed';

describe('musicStyleFor', () => {
  it.each([
    ['elegant and sophisticated', 'elegant'],
    ['upbeat and energetic', 'upbeat'],
    ['dramatic, intense', 'dramatic'],
    ['warm and cozy', 'calm'],
    ['confident and modern', 'upbeat'],
    ['whatever', 'upbeat'],
  ])('should map "%s" to %s', (mood, style) => {
    expect(musicStyleFor(mood)).toBe(style);
  });
});

describe('arrangeMusic', () => {
  it('should make one bar per chord at moderate tempo', () => {
    expect(arrangeMusic({ tempoBpm: 120, mood: 'upbeat' })).toEqual({
      style: 'upbeat',
      beatSeconds: 0.5,
      chordSeconds: 2,
      cycleSeconds: 8,
      chords: [[146.83, 184.99, 220], [220, 277.18, 329.62], [246.94, 293.66, 369.99], [195.99, 246.94, 293.66]],
      bass: [73.42, 110, 123.47, 98],
      kickEveryBeat: true,
      hats: true,
      arpeggio: false,
    });
  });

  it('should hold chords for two bars above 130 bpm and clamp tempo to 50-180', () => {
    expect(arrangeMusic({ tempoBpm: 150, mood: 'calm' }).chordSeconds).toBeCloseTo(3.2, 6);
    expect(arrangeMusic({ tempoBpm: 20, mood: 'calm' }).beatSeconds).toBeCloseTo(1.2, 6);
  });
});

describe('buildChordExpressions', () => {
  it('should gate a constant-frequency chord and detune the right channel', () => {
    const a = arrangeMusic({ tempoBpm: 120, mood: 'upbeat' });
    const [left, right] = buildChordExpressions(a, 0);
    expect(left).toBe(
      'st(0,min(1,(2-t)*6)*(1-exp(-t*3)))*0+ld(0)*(0.08*(sin(922.560099*t)+0.25*sin(1845.120197*t)+sin(1162.32645*t)+0.25*sin(2324.6529*t)+' +
        'sin(1382.300768*t)+0.25*sin(2764.601535*t))+0.22*sin(461.311465*t)*(1-exp(-mod(t,0.5)*80))*exp(-mod(t,0.5)*5))',
    );
    expect(right).toContain('sin(925.327779*t)');
  });

  it('should add an eighth-note arpeggio for elegant beds', () => {
    const [left] = buildChordExpressions(arrangeMusic({ tempoBpm: 60, mood: 'elegant' }), 1);
    expect(left).toContain('+0.06*sin(if(eq(mod(floor(t/0.5),4),0),');
  });
});

describe('buildRhythmExpression', () => {
  it.each([
    ['elegant', 60, '0.20*sin(2*PI*(48*t+3.2*(1-exp(-30*t))))*exp(-t*11)*min(1,t*400)'],
    [
      'upbeat',
      120,
      '0.20*sin(2*PI*(48*mod(t,0.5)+3.2*(1-exp(-30*mod(t,0.5)))))*exp(-mod(t,0.5)*11)*min(1,mod(t,0.5)*400)' +
        '+0.05*(st(1,random(3))-ld(2)+0*st(2,ld(1)))*exp(-mod(t+0.25,0.5)*70)',
    ],
  ])('should build the %s rhythm', (mood, bpm, expr) => {
    expect(buildRhythmExpression(arrangeMusic({ tempoBpm: bpm, mood }))).toBe(expr);
  });
});

describe('buildMusicBedGraph', () => {
  it('should synthesize one cycle, loop it to the duration, fade it and split it into the bed and the meter', () => {
    const graph = buildMusicBedGraph({ durationSeconds: 15, tempoBpm: 120, mood: 'upbeat', volume: 0.3 });
    const lines = graph.split(';\n');
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(/^aevalsrc=exprs='.+\|.+':s=16000:d=2\[c0\]$/);
    expect(lines[7]).toBe('[m]ebur128=peak=true:framelog=verbose[meter]');
    expect(lines[4]).toBe('[c0][c1][c2][c3]concat=n=4:v=0:a=1,aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo[tonal]');
    expect(lines[5]).toMatch(/^aevalsrc=exprs='.+':s=48000:d=1,aformat=sample_fmts=fltp:channel_layouts=stereo,aloop=loop=-1:size=48000,atrim=end_sample=384000\[rhythm\]$/);
    expect(lines[6]).toBe(
      '[tonal][rhythm]amix=inputs=2:normalize=0,acompressor=threshold=0.125:ratio=3:attack=5:release=120:makeup=2,aloop=loop=-1:size=384000,' +
        'atrim=duration=15,volume=0.3,afade=t=in:d=0.8,afade=t=out:st=13.5:d=1.5,asplit=2[bed][m]',
    );
  });

  it('should write the bed as float WAV and send the meter to the null muxer', () => {
    const args = buildMusicBedArgs({ durationSeconds: 15, tempoBpm: 120, mood: 'upbeat', volume: 0.3 }, '/w/music.wav');
    expect(args.slice(0, 4)).toEqual(['-loglevel', 'info', '-y', '-filter_complex']);
    expect(args.slice(5)).toEqual(['-map', '[bed]', '-c:a', 'pcm_f32le', '-ar', '48000', '-ac', '2', '/w/music.wav', '-map', '[meter]', '-f', 'null', '-']);
    expect(args[4].endsWith('[m]ebur128=peak=true:framelog=verbose[meter]')).toBe(true);
  });
});
