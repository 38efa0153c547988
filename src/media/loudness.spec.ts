import { buildGainFilter, normalisationGainDb, parseEbur128Summary } from './loudness';

const STDERR = `size=N/A time=00:00:30.01 bitrate=N/A speed= 155x
[Parsed_ebur128_0 @ 0x561a09011300] Summary:

  Integrated loudness:
    I:         -24.7 LUFS
    Threshold: -34.8 LUFS

  Loudness range:
    LRA:         1.0 LU
    Threshold: -44.8 LUFS
    LRA low:   -25.2 LUFS
    LRA high:  -24.2 LUFS

  True peak:
    Peak:      -14.8 dBFS
`;

const TARGET = { integratedLufs: -14, truePeakDbtp: -1.5 };

describe('parseEbur128Summary', () => {
  it.each([
    ['a summary', STDERR, { integratedLufs: -24.7, truePeakDbtp: -14.8 }],
    ['no summary', 'size=N/A time=00:00:30.00', null],
    ['silence', STDERR.replace('-24.7 LUFS', '-70.0 LUFS'), null],
    ['a summary without true peak', STDERR.slice(0, STDERR.indexOf('True peak')), null],
  ])('should read %s', (_name, stderr, expected) => {
    expect(parseEbur128Summary(stderr)).toEqual(expected);
  });
});

describe('normalisationGainDb', () => {
  it.each([
    ['loudness-bound audio', { integratedLufs: -24.7, truePeakDbtp: -14.8 }, 10.7],
    ['peak-bound audio', { integratedLufs: -24, truePeakDbtp: -5 }, 3.5],
    ['too-loud audio', { integratedLufs: -10, truePeakDbtp: 0 }, -4],
  ])('should pick the gain for %s', (_name, m, gain) => {
    expect(normalisationGainDb(m, TARGET)).toBe(gain);
  });
});

describe('buildGainFilter', () => {
  it('should apply the gain and hand 48 kHz stereo float to the encoder', () => {
    expect(buildGainFilter(10.7)).toBe('volume=10.7dB,aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo');
  });
});
