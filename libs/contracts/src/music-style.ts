/**
 * What the plan's `audio.mood` means to the music bed (docs/design/composition.md): one of four styles, or
 * silence. Shared by the compositor's synthesizer and the plan's variations, which must pick a different
 * style for each cut (docs/design/composition.md, "Variations").
 */

/** Character of the synthesized bed, chosen from the plan's mood words. */
export type MusicStyle = 'elegant' | 'upbeat' | 'dramatic' | 'calm';

/** Mood words per style, tried in this order. */
const MOOD_WORDS: ReadonlyArray<[MusicStyle, RegExp]> = [
  ['dramatic', /dramatic|intense|epic|urgent|serious|dark|bold|powerful|tension/i],
  ['upbeat', /upbeat|energetic|fun|happy|playful|exciting|dynamic|sport|urban|young|confident|modern|inspir/i],
  ['elegant', /elegant|luxur|sophisticat|premium|refined|classy|glamour|minimal/i],
  ['calm', /calm|warm|cozy|cosy|relax|gentle|soft|rustic|peace|chill/i],
];

/** Picks the bed's style from mood text; unknown moods get `upbeat`. Pure. */
export function musicStyleFor(mood: string): MusicStyle {
  return MOOD_WORDS.find(([, re]) => re.test(mood))?.[0] ?? 'upbeat';
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
