import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadImage } from '@napi-rs/canvas';
import { OUTPUT_SIZE_PX, type StoryboardInput, type StoryboardOutput } from '@app/contracts';
import { AppError, throwIfAborted } from '../../common/app-error';
import { SceneStillGenerator, type ProviderContext, type ProviderResult } from '../ports';
import { renderSceneStill } from './design/scene-still.renderer';
import { localPathOf } from './local-file';

/** Path of a scene's still inside a job's work dir: one file per variant, so a regenerated still never overwrites a kept one. */
export function stillPathFor(workDir: string, sceneNumber: number, variant: number, ext = '.png'): string {
  return join(workDir, 'storyboard', `scene-${sceneNumber}-v${variant}${ext}`);
}

/**
 * Offline storyboard stills: each scene's still drawn from the reference design with @napi-rs/canvas
 * ({@link renderSceneStill}) and stored as `<workDir>/storyboard/scene-<n>-v<variant>.png`. Cost 0 USD.
 */
export class LocalSceneStillGenerator extends SceneStillGenerator {
  readonly name = 'local';

  /**
   * @returns `file://` URI of the PNG, the seed and the size in pixels
   * @throws CancelledError on ctx.signal; AppError `IMAGE_GENERATION_FAILED` when the reference cannot be read or drawing fails
   */
  async generate(input: StoryboardInput, ctx: ProviderContext): Promise<ProviderResult<StoryboardOutput>> {
    const started = Date.now();
    throwIfAborted(ctx.signal);
    const n = input.scene.scene_number;
    const path = stillPathFor(ctx.workDir, n, input.variant);
    const tmp = `${path}.${ctx.attemptId}.tmp`;
    const { widthPx, heightPx } = OUTPUT_SIZE_PX[input.aspect_ratio];
    try {
      const refPath = localPathOf(input.reference_image_uri, 'IMAGE_GENERATION_FAILED');
      const ref = await loadImage(refPath).catch((err: unknown) => {
        throw new AppError('IMAGE_GENERATION_FAILED', `cannot read reference image ${refPath}: ${(err as Error).message}`, { cause: err });
      });
      const { canvas, tone } = renderSceneStill(ref, input);
      const png = await canvas.encode('png');
      throwIfAborted(ctx.signal);
      await mkdir(join(ctx.workDir, 'storyboard'), { recursive: true });
      await writeFile(tmp, png);
      await rename(tmp, path);
      return {
        output: { image_uri: pathToFileURL(path).href, seed: input.seed, width: widthPx, height: heightPx },
        costUsd: 0,
        processingTimeSeconds: (Date.now() - started) / 1000,
        provider: this.name,
        attempts: 1,
        metadata: { tone, variant: input.variant },
      };
    } catch (err) {
      await rm(tmp, { force: true });
      if (err instanceof AppError) throw err;
      throw new AppError('IMAGE_GENERATION_FAILED', `local storyboard still ${n} failed: ${(err as Error).message}`, { cause: err });
    }
  }
}
