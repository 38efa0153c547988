import { checkAdProbe, parseRate, type MediaProbe } from './ffprobe';

function goodProbe(): MediaProbe {
  return {
    durationSeconds: 30.02,
    sizeBytes: 12_000_000,
    formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
    faststart: true,
    streams: [
      { index: 0, type: 'video', codec: 'h264', pixFmt: 'yuv420p', widthPx: 1080, heightPx: 1920, fps: 30, durationSeconds: 30 },
      { index: 1, type: 'audio', codec: 'aac', sampleRateHz: 48000, channels: 2, durationSeconds: 30.02 },
    ],
  };
}
const expected = { durationSeconds: 30, widthPx: 1080, heightPx: 1920 };

describe('checkAdProbe', () => {
  it.each<[string, (p: MediaProbe) => void, string[]]>([
    ['a deliverable ad', () => undefined, []],
    ['a wrong codec', (p) => (p.streams[0].codec = 'hevc'), ['video codec is hevc, expected h264']],
    ['a wrong pixel format', (p) => (p.streams[0].pixFmt = 'yuv444p'), ['pixel format is yuv444p, expected yuv420p']],
    ['a wrong size', (p) => (p.streams[0].widthPx = 1088), ['size is 1088x1920, expected 1080x1920']],
    ['a wrong frame rate', (p) => (p.streams[0].fps = 25), ['frame rate is 25, expected 30']],
    ['mono audio', (p) => (p.streams[1].channels = 1), ['audio has 1 channels, expected 2']],
    ['44.1 kHz audio', (p) => (p.streams[1].sampleRateHz = 44100), ['sample rate is 44100, expected 48000']],
    ['no faststart', (p) => (p.faststart = false), ['moov atom does not precede mdat (no faststart)']],
    ['a long file', (p) => (p.durationSeconds = 30.6), ['duration is 30.6 s, expected 30 ± 0.5 s']],
    ['short audio', (p) => (p.streams[1].durationSeconds = 29.5), ['video lasts 30 s but audio 29.5 s']],
    ['no audio', (p) => p.streams.pop(), ['no audio stream']],
  ])('should report %s', (_name, mutate, problems) => {
    const probe = goodProbe();
    mutate(probe);
    expect(checkAdProbe(probe, expected)).toEqual(problems);
  });
});

describe('parseRate', () => {
  it.each([
    ['30/1', 30],
    ['30000/1001', 30000 / 1001],
    ['0/0', undefined],
    [undefined, undefined],
  ])('should read %s', (rate, fps) => {
    expect(parseRate(rate)).toBe(fps);
  });
});
