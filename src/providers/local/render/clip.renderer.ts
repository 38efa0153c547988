import { createCanvas, type Canvas, type Image } from '@napi-rs/canvas';
import { OUTPUT_SIZE_PX, type ColorGrade, type VideoGenerationInput } from '@app/contracts';
import { applyGrade } from '../../../media/grade';
import { rgbaToYuv420, type Yuv420Image } from '../../../media/yuv';
import { renderSceneStill } from '../design/scene-still.renderer';

/**
 * The picture a scene's clip animates, at the output size (OUTPUT_SIZE_PX by aspect), ungraded. With an
 * approved storyboard still (`input.still_uri`, decoded as `source`) that still scaled to cover the frame,
 * centred, for a provider that delivered another size; without one (requests older than the storyboard stage)
 * the same still derived here from the reference image with {@link renderSceneStill}.
 * @returns the still and its tone (`storyboard` for an approved still), which the clip's metadata reports
 */
export function clipStill(source: Image, input: VideoGenerationInput): { still: Canvas; tone: string } {
  if (!input.still_uri) {
    const { canvas, tone } = renderSceneStill(source, input);
    return { still: canvas, tone };
  }
  const { widthPx, heightPx } = OUTPUT_SIZE_PX[input.aspect_ratio];
  const still = createCanvas(widthPx, heightPx);
  const scale = Math.max(widthPx / source.width, heightPx / source.height);
  const w = source.width * scale;
  const h = source.height * scale;
  still.getContext('2d').drawImage(source, (widthPx - w) / 2, (heightPx - h) / 2, w, h);
  return { still, tone: 'storyboard' };
}

/**
 * The still as BT.709 yuv420p with the plan's colour grade applied: graded once per still here instead of by the
 * compositor per frame, so the clip declares its `color_grade` and the compositor skips grading it
 * (docs/design/composition.md, "Colour grade").
 */
export function gradedStill(still: Canvas, widthPx: number, heightPx: number, grade: ColorGrade): Yuv420Image {
  return applyGrade(rgbaToYuv420(still.data(), widthPx, heightPx), grade);
}
