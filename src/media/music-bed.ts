import { fmt } from './clip.args';

/** Character of the synthesized bed, chosen from the plan's mood words. */
export type MusicStyle = 'elegant' | 'upbeat' | 'dramatic' | 'calm';

/** What the music bed is made from: plan.audio (mood, tempo_bpm, music_volume) and the ad's duration. */
export interface MusicBedSpec {
  durationSeconds: number;
  tempoBpm: number;
  mood: string;
  /** Gain 0–1 relative to full scale (plan.audio.music_volume; docs/design/composition.md, "Delivery settings": 30 %). */
  volume: number;
}

/** The chord cycle the bed loops. Times in seconds, pitches in Hz. */
export interface MusicArrangement {
  style: MusicStyle;
  beatSeconds: number;
  chordSeconds: number;
  /** One progression cycle; the synthesized audio repeats with this period. */
  cycleSeconds: number;
  /** Pad voicings, one array of frequencies per chord. */
  chords: number[][];
  /** Bass frequency per chord. */
  bass: number[];
  /** Kick on every beat (true) or on beats 1 and 3 only. */
  kickEveryBeat: boolean;
  hats: boolean;
  arpeggio: boolean;
}

const MOOD_WORDS: ReadonlyArray<[MusicStyle, RegExp]> = [
  ['dramatic', /dramatic|intense|epic|urgent|serious|dark|bold|powerful|tension/i],
  ['upbeat', /upbeat|energetic|fun|happy|playful|exciting|dynamic|sport|urban|young|confident|modern|inspir/i],
  ['elegant', /elegant|luxur|sophisticat|premium|refined|classy|glamour|minimal/i],
  ['calm', /calm|warm|cozy|cosy|relax|gentle|soft|rustic|peace|chill/i],
];

/** Semitone offsets from the key root per chord of the cycle (I–V–vi–IV, i–VI–III–VII, Imaj7–IVmaj7–vi7–V). */
const PROGRESSIONS: Readonly<Record<MusicStyle, number[][]>> = {
  upbeat: [[0, 4, 7], [7, 11, 14], [9, 12, 16], [5, 9, 12]],
  dramatic: [[0, 3, 7], [8, 12, 15], [3, 7, 10], [10, 14, 17]],
  elegant: [[0, 4, 7, 11], [5, 9, 12, 16], [9, 12, 16, 19], [7, 11, 14, 17]],
  calm: [[0, 4, 7, 11], [9, 12, 16], [5, 9, 12, 16], [7, 11, 14]],
};

/** Key root: D3 (146.83 Hz) keeps the pad warm and under the dialogue band. */
const ROOT_HZ = 146.83;

/** Picks the bed's style from mood text; unknown moods get `upbeat`. Pure. */
export function musicStyleFor(mood: string): MusicStyle {
  return MOOD_WORDS.find(([, re]) => re.test(mood))?.[0] ?? 'upbeat';
}

const hz = (semitones: number): number => Math.round(ROOT_HZ * 2 ** (semitones / 12) * 100) / 100;

/** Arranges the bed: chord length is one bar, or two bars above 130 bpm so harmony does not rush. Pure. */
export function arrangeMusic(spec: Pick<MusicBedSpec, 'tempoBpm' | 'mood'>): MusicArrangement {
  const style = musicStyleFor(spec.mood);
  const beatSeconds = 60 / Math.min(180, Math.max(50, spec.tempoBpm));
  const chordSeconds = beatSeconds * (spec.tempoBpm > 130 ? 8 : 4);
  const progression = PROGRESSIONS[style];
  return {
    style,
    beatSeconds,
    chordSeconds,
    cycleSeconds: chordSeconds * progression.length,
    chords: progression.map((chord) => chord.map(hz)),
    bass: progression.map((chord) => hz(chord[0] - 12)),
    kickEveryBeat: style === 'upbeat' || style === 'dramatic',
    hats: style === 'upbeat' || style === 'dramatic',
    arpeggio: style === 'elegant' || style === 'calm',
  };
}

/** Sample rate of the tonal layers: their content stays under 3 kHz, so 16 kHz is plenty (against 48 kHz it cuts the synthesis, most of the music pass, to a third). */
const TONAL_RATE_HZ = 16000;

/**
 * aevalsrc channel expressions (left, right) of the tonal layers for one chord: pad (each note plus a soft
 * octave, detuned by 0.3 % on the right for width), a bass note on every beat and an optional eighth-note
 * arpeggio. `t` restarts at 0 for each chord, so frequencies are constants and the expression stays cheap
 * (aevalsrc interprets it per sample: a version with per-chord `if`s took 2.3 s per 11 s cycle).
 * Variable 0 holds the chord gate: a 1/3 s swell, and a fade over the chord's last 1/6 s so changes never click.
 * Pure.
 */
export function buildChordExpressions(a: MusicArrangement, chordIndex: number): [string, string] {
  const C = fmt(a.chordSeconds);
  const B = fmt(a.beatSeconds);
  const chord = a.chords[chordIndex];
  const gate = `st(0,min(1,(${C}-t)*6)*(1-exp(-t*3)))`;
  const pad = (detune: number): string =>
    chord.map((f) => `sin(${fmt(2 * Math.PI * f * detune)}*t)+0.25*sin(${fmt(4 * Math.PI * f * detune)}*t)`).join('+');
  const padGain = fmt(0.24 / chord.length);
  const beat = `mod(t,${B})`;
  const bass = `0.22*sin(${fmt(2 * Math.PI * a.bass[chordIndex])}*t)*(1-exp(-${beat}*80))*exp(-${beat}*5)`;
  let arp = '';
  if (a.arpeggio) {
    const eighth = fmt(a.beatSeconds / 2);
    const step = `mod(floor(t/${eighth}),${chord.length})`;
    const hz = chord
      .slice(0, -1)
      .reduceRight((acc, f, i) => `if(eq(${step},${i}),${fmt(2 * Math.PI * 2 * f)},${acc})`, fmt(2 * Math.PI * 2 * chord[chord.length - 1]));
    arp = `+0.06*sin(${hz}*t)*exp(-mod(t,${eighth})*7)*(1-exp(-mod(t,${eighth})*300))`;
  }
  const channel = (detune: number): string => `${gate}*0+ld(0)*(${padGain}*(${pad(detune)})+${bass}${arp})`;
  return [channel(1), channel(1.003)];
}

/**
 * aevalsrc expression of the rhythm over two beats (looped): a swept-sine kick (48 Hz plus a 96 Hz drop) on
 * every beat or on beat 1 only, and optional off-beat hats from first-differenced white noise (a cheap
 * high-pass; variables 1 and 2 hold the noise state). Pure.
 */
export function buildRhythmExpression(a: MusicArrangement): string {
  const B = fmt(a.beatSeconds);
  const k = a.kickEveryBeat ? `mod(t,${B})` : 't';
  const kick = `0.20*sin(2*PI*(48*${k}+3.2*(1-exp(-30*${k}))))*exp(-${k}*11)*min(1,${k}*400)`;
  if (!a.hats) return kick;
  const w = `mod(t+${fmt(a.beatSeconds / 2)},${B})`;
  return `${kick}+0.05*(st(1,random(3))-ld(2)+0*st(2,ld(1)))*exp(-${w}*70)`;
}

/** Music bed fade-in and fade-out lengths, seconds. */
export const MUSIC_FADE_IN_SECONDS = 0.8;
export const MUSIC_FADE_OUT_SECONDS = 1.5;

/**
 * Audio-only filtergraph: synthesizes one progression cycle (chords concatenated, rhythm looped), compresses it
 * lightly (so a single gain reaches −14 LUFS with the true peak under −1.5 dBTP), loops it to the ad's duration, applies
 * plan.audio.music_volume and fades, and splits it into `[bed]` (written to a WAV for the render) and
 * `[meter]` (the EBU R128 meter: the measuring pass of docs/design/composition.md, "Loudness"). Pure.
 */
export function buildMusicBedGraph(spec: MusicBedSpec): string {
  const a = arrangeMusic(spec);
  const C = fmt(a.chordSeconds);
  const chords = a.chords.map((_, i) => {
    const [l, r] = buildChordExpressions(a, i);
    return `aevalsrc=exprs='${l}|${r}':s=${TONAL_RATE_HZ}:d=${C}[c${i}]`;
  });
  const labels = a.chords.map((_, i) => `[c${i}]`).join('');
  const beatPair = fmt(2 * a.beatSeconds);
  const beatPairSamples = Math.round(2 * a.beatSeconds * 48000);
  const cycleSamples = Math.round(a.cycleSeconds * 48000);
  const d = fmt(spec.durationSeconds);
  return [
    ...chords,
    `${labels}concat=n=${a.chords.length}:v=0:a=1,aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo[tonal]`,
    `aevalsrc=exprs='${buildRhythmExpression(a)}':s=48000:d=${beatPair},aformat=sample_fmts=fltp:channel_layouts=stereo,` +
      `aloop=loop=-1:size=${beatPairSamples},atrim=end_sample=${cycleSamples}[rhythm]`,
    `[tonal][rhythm]amix=inputs=2:normalize=0,acompressor=threshold=0.125:ratio=3:attack=5:release=120:makeup=2,` +
      `aloop=loop=-1:size=${cycleSamples},atrim=duration=${d},volume=${fmt(spec.volume)},` +
      `afade=t=in:d=${fmt(MUSIC_FADE_IN_SECONDS)},` +
      `afade=t=out:st=${fmt(Math.max(0, spec.durationSeconds - MUSIC_FADE_OUT_SECONDS))}:d=${fmt(MUSIC_FADE_OUT_SECONDS)},` +
      `asplit=2[bed][m]`,
    // The EBU R128 meter (what check-ad uses) prints its summary when the graph closes; per-frame lines are
    // kept at verbose level so the stderr tail holds the summary.
    '[m]ebur128=peak=true:framelog=verbose[meter]',
  ].join(';\n');
}

/** Mood words that ask for no music. */
const SILENT_MOOD = /\b(?:mute|muted|silent|silence|no music|without music)\b/i;

/**
 * True when the plan asks for no music: `music_volume` 0 (or less) or a mood such as "silent" / "no music".
 * Such an ad gets a silent AAC track and no loudness target (docs/design/composition.md, "Silent ads"). Pure.
 */
export function isSilentMusic(audio: { mood: string; music_volume: number }): boolean {
  return !(audio.music_volume > 0) || SILENT_MOOD.test(audio.mood);
}

/** Loudness target: −14 LUFS integrated, true peak −1.5 dBTP (0.5 dB of margin under the −1 dBTP ceiling for the AAC encoder). */
export interface LoudnessTarget {
  integratedLufs: number;
  truePeakDbtp: number;
}

/** Social-platform practice (check-ad: −14 ± 1.5 LUFS, true peak ≤ −1 dBTP). */
export const DEFAULT_LOUDNESS_TARGET: LoudnessTarget = { integratedLufs: -14, truePeakDbtp: -1.5 };

/** ffmpeg arguments of the music pass: synthesize to `bedPath` (float WAV) and measure its loudness. Pure. */
export function buildMusicBedArgs(spec: MusicBedSpec, bedPath: string): string[] {
  return [
    '-loglevel', 'info',
    '-y',
    '-filter_complex', buildMusicBedGraph(spec),
    '-map', '[bed]', '-c:a', 'pcm_f32le', '-ar', '48000', '-ac', '2', bedPath,
    '-map', '[meter]', '-f', 'null', '-',
  ];
}
