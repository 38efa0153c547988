import type { StageName } from '@app/contracts';
import type { ProvidersConfig } from '../../config/providers.config';
import type { LocalCompositionSettings } from '../../config/providers/local.config';

/**
 * The identity of the provider configured for `stage`, as the stage cache keys it (docs/design/cache.md,
 * "The key"). Pure.
 * - local: the service version (local renderers are deterministic for a given code version and input);
 *   composition adds its export settings and brand font;
 * - OpenAI: model and base URL; Replicate: model name(s) as configured (`owner/name` or `owner/name:version`;
 *   clip models in fallback order) and base URL;
 * - HTTP contract: the service URL.
 */
export function providerIdentity(
  stage: StageName,
  providers: ProvidersConfig,
  serviceVersion: string,
  composition: LocalCompositionSettings = providers.local,
): Record<string, unknown> {
  const local = { name: 'local', version: serviceVersion };
  const configured: Record<StageName, string> = {
    prompt_parsing: providers.promptParser,
    image_generation: providers.image,
    storyboard: providers.storyboard,
    video_generation: providers.video,
    composition: providers.composition,
  };
  // Sim outputs are placeholders: they must never be served to a job of another provider.
  if (configured[stage] === 'sim') return { name: 'sim', version: serviceVersion };
  switch (stage) {
    case 'prompt_parsing':
      if (providers.promptParser === 'openai') return { name: 'openai', model: providers.openai.model, base_url: providers.openai.baseUrl };
      if (providers.promptParser === 'http') return { name: 'http', url: providers.http.promptParserUrl };
      return local;
    case 'image_generation':
      if (providers.image === 'replicate') return { name: 'replicate', model: providers.replicate.imageModel, base_url: providers.replicate.baseUrl };
      if (providers.image === 'http') return { name: 'http', url: providers.http.imageGenUrl };
      return local;
    case 'storyboard':
      if (providers.storyboard === 'replicate') {
        return { name: 'replicate', model: providers.replicate.storyboardModel, hd_model: providers.replicate.storyboardHdModel, base_url: providers.replicate.baseUrl };
      }
      if (providers.storyboard === 'http') return { name: 'http', url: providers.http.imageGenUrl };
      return local;
    case 'video_generation':
      if (providers.video === 'replicate') return { name: 'replicate', models: providers.replicate.videoModels, base_url: providers.replicate.baseUrl };
      if (providers.video === 'http') return { name: 'http', url: providers.http.videoGenUrl };
      return local;
    case 'composition':
      if (providers.composition === 'http') return { name: 'http', url: providers.http.compositionUrl };
      return { ...local, exports: { gif: composition.exportGif, webm: composition.exportWebm }, brand_font_file: composition.brandFontFile };
    default:
      return { name: 'unknown', stage: stage };
  }
}
