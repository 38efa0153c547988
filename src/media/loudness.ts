import { fmt } from './clip.args';
import type { LoudnessTarget } from './music-bed';

/** What the EBU R128 meter (`ebur128=peak=true`) reports: integrated loudness (LUFS) and true peak (dBTP). */
export interface LoudnessMeasurement {
  integratedLufs: number;
  truePeakDbtp: number;
}

/**
 * Reads the summary `ebur128` prints when it closes (`I: -24.7 LUFS` ... `Peak: -14.8 dBFS`). Pure.
 * @returns the measurement, or null when stderr holds no summary or the audio was silent (`-inf`/`-70`)
 */
export function parseEbur128Summary(stderr: string): LoudnessMeasurement | null {
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  if (!summary.startsWith('Summary:')) return null;
  const i = /I:\s+(-?[\d.]+) LUFS/.exec(summary);
  const peak = /Peak:\s+(-?[\d.]+) dBFS/.exec(summary);
  if (!i || !peak) return null;
  const integratedLufs = Number(i[1]);
  const truePeakDbtp = Number(peak[1]);
  // ebur128 reports -70 LUFS (its absolute gate) for silence: no gain can normalise that.
  if (!Number.isFinite(integratedLufs) || !Number.isFinite(truePeakDbtp) || integratedLufs <= -69.9) return null;
  return { integratedLufs, truePeakDbtp };
}

/**
 * Linear gain (dB) that brings the measured audio to the target loudness without pushing its true peak over
 * the target ceiling (docs/design/composition.md, "Loudness": measure first, then render with the measured values). A
 * single gain keeps the music's dynamics; the bed's peak-to-loudness ratio (about 10 dB) leaves the peak
 * ~2.5 dB under the ceiling at −14 LUFS, so loudness, not the peak, sets the gain. Pure.
 */
export function normalisationGainDb(m: LoudnessMeasurement, target: LoudnessTarget): number {
  return Math.round(Math.min(target.integratedLufs - m.integratedLufs, target.truePeakDbtp - m.truePeakDbtp) * 100) / 100;
}

/** `volume` with the gain, then 48 kHz stereo float for the AAC encoder. Pure. */
export function buildGainFilter(gainDb: number): string {
  return `volume=${fmt(gainDb)}dB,aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo`;
}
