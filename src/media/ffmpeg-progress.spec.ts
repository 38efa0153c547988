import { withParentDeathSignal } from './ffmpeg.runner';
import { parseClock, parseProgress } from './ffmpeg-progress';

describe('parseProgress', () => {
  const block = (outTimeUs: string, progress = 'continue') =>
    `frame=60\nfps=31.5\nbitrate=1000.0kbits/s\ntotal_size=262144\nout_time_us=${outTimeUs}\nout_time_ms=${outTimeUs}\nout_time=00:00:02.000000\ndup_frames=0\ndrop_frames=0\nspeed=1.05x\nprogress=${progress}\n`;

  it.each([
    ['an empty buffer', '', [], ''],
    ['one complete block', block('2000000'), [{ frame: 60, fps: 31.5, outTimeSeconds: 2, totalSizeBytes: 262144, speed: 1.05, done: false }], ''],
    ['the final block', block('2500000', 'end'), [{ frame: 60, fps: 31.5, outTimeSeconds: 2.5, totalSizeBytes: 262144, speed: 1.05, done: true }], ''],
    ['an incomplete block kept as rest', 'frame=1\nout_time_us=33', [], 'frame=1\nout_time_us=33'],
    ['N/A values', 'frame=0\nout_time_us=N/A\nout_time=N/A\nspeed=N/A\nprogress=continue\n', [{ frame: 0, done: false }], ''],
    ['negative times before the first packet', 'out_time_us=-9223372036854775807\nprogress=continue\n', [{ done: false }], ''],
    ['out_time fallback', 'out_time=00:01:02.500000\nprogress=continue\n', [{ outTimeSeconds: 62.5, done: false }], ''],
    ['CRLF line ends', 'out_time_us=1000000\r\nprogress=continue\r\nframe=3', [{ outTimeSeconds: 1, done: false }], 'frame=3'],
  ])('should parse %s', (_name, input, updates, rest) => {
    expect(parseProgress(input)).toEqual({ updates, rest });
  });

  it('should parse two blocks split across chunks', () => {
    const text = block('1000000') + block('2000000');
    const first = parseProgress(text.slice(0, 150));
    const second = parseProgress(first.rest + text.slice(150));
    expect([...first.updates, ...second.updates].map((u) => u.outTimeSeconds)).toEqual([1, 2]);
    expect(second.rest).toBe('');
  });
});

describe('parseClock', () => {
  it.each([
    ['00:00:01.500000', 1.5],
    ['01:02:03', 3723],
    ['-00:00:00.100000', -0.1],
    ['N/A', undefined],
    [undefined, undefined],
  ])('should read %s', (text, seconds) => {
    expect(parseClock(text)).toBe(seconds);
  });
});

describe('withParentDeathSignal', () => {
  it.each([
    ['/usr/bin/setpriv', ['/usr/bin/setpriv', ['--pdeathsig', 'KILL', '--', 'ffmpeg', '-i', 'x']]],
    [null, ['ffmpeg', ['-i', 'x']]],
  ] as const)('should wrap ffmpeg with setpriv %s so it dies with its parent', (setpriv, expected) => {
    expect(withParentDeathSignal('ffmpeg', ['-i', 'x'], setpriv)).toEqual(expected);
  });
});
