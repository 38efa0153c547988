import { fmt } from './clip.args';
import type { LoudnessTarget } from './music-bed';

/** loudnorm's first-pass measurement (the `input_*` fields of its JSON) and the gain offset it proposes. */
export interface LoudnormMeasurement {
  inputI: number;
  inputTp: number;
  inputLra: number;
  inputThresh: number;
  targetOffset: number;
}

/**
 * Extracts loudnorm's JSON summary from ffmpeg's stderr (the last `{ ... }` block). Pure.
 * @returns the measurement, or null when stderr holds none or the audio was silent (`-inf`)
 */
export function parseLoudnormJson(stderr: string): LoudnormMeasurement | null {
  const start = stderr.lastIndexOf('{');
  const end = stderr.lastIndexOf('}');
  if (start < 0 || end < start) return null;
  let json: Record<string, string>;
  try {
    json = JSON.parse(stderr.slice(start, end + 1)) as Record<string, string>;
  } catch {
    return null;
  }
  const values = [json.input_i, json.input_tp, json.input_lra, json.input_thresh, json.target_offset].map(Number);
  if (values.some((v) => !Number.isFinite(v))) return null;
  const [inputI, inputTp, inputLra, inputThresh, targetOffset] = values;
  return { inputI, inputTp, inputLra, inputThresh, targetOffset };
}

/**
 * Second-pass loudnorm using the measurement (linear mode: one gain, no pumping), then back to 48 kHz stereo
 * float, because loudnorm outputs 192 kHz (composition.md, "Loudness"). Pure.
 */
export function buildLoudnormFilter(m: LoudnormMeasurement, target: LoudnessTarget): string {
  return (
    `loudnorm=I=${fmt(target.integratedLufs)}:TP=${fmt(target.truePeakDbtp)}:LRA=${fmt(target.lraLu)}:` +
    `measured_I=${fmt(m.inputI)}:measured_TP=${fmt(m.inputTp)}:measured_LRA=${fmt(m.inputLra)}:` +
    `measured_thresh=${fmt(m.inputThresh)}:offset=${fmt(m.targetOffset)}:linear=true:print_format=none,` +
    `aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo`
  );
}
