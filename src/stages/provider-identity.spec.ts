import { loadProvidersConfig } from '../../config/providers.config';
import { localCompositionSettings } from '../../config/providers/local.config';
import { providerIdentity } from './provider-identity';

const NO_EXPORTS = { exportGif: false, exportWebm: false, brandFontFile: null };
const providers = (env: Record<string, string>) => loadProvidersConfig(env).config;

describe('providerIdentity', () => {
  it.each<[string, Parameters<typeof providerIdentity>[0], Record<string, string>, Record<string, unknown>]>([
    ['local planning by code version', 'prompt_parsing', {}, { name: 'local', version: '9.9.9' }],
    [
      'OpenAI planning by model and base URL',
      'prompt_parsing',
      { PROMPT_PARSER_PROVIDER: 'openai', OPENAI_API_KEY: 'k', OPENAI_MODEL: 'gpt-4o' },
      { name: 'openai', model: 'gpt-4o', base_url: 'https://api.openai.com/v1' },
    ],
    [
      'HTTP planning by service URL',
      'prompt_parsing',
      { PROMPT_PARSER_PROVIDER: 'http', PROMPT_PARSER_URL: 'http://parser.internal:9000' },
      { name: 'http', url: 'http://parser.internal:9000' },
    ],
    [
      'Replicate images by model (version included when configured)',
      'image_generation',
      { IMAGE_PROVIDER: 'replicate', REPLICATE_API_TOKEN: 't', REPLICATE_IMAGE_MODEL: 'black-forest-labs/flux-schnell' },
      { name: 'replicate', model: 'black-forest-labs/flux-schnell', base_url: 'https://api.replicate.com/v1' },
    ],
    [
      'Replicate clips by their models in fallback order',
      'video_generation',
      { VIDEO_PROVIDER: 'replicate', REPLICATE_API_TOKEN: 't' },
      { name: 'replicate', models: ['minimax/video-01', 'kwaivgi/kling-v1.6-standard'], base_url: 'https://api.replicate.com/v1' },
    ],
    [
      'HTTP clips by service URL',
      'video_generation',
      { VIDEO_PROVIDER: 'http', VIDEO_GEN_URL: 'http://video.internal' },
      { name: 'http', url: 'http://video.internal' },
    ],
    [
      'local composition by code version and export settings',
      'composition',
      {},
      { name: 'local', version: '9.9.9', exports: { gif: false, webm: false }, brand_font_file: null },
    ],
  ])('should key %s', (_name, stage, env, expected) => {
    expect(providerIdentity(stage, providers(env), '9.9.9', NO_EXPORTS)).toEqual(expected);
  });

  it('should tell local compositions with other export settings apart', () => {
    const p = providers({});
    const plain = providerIdentity('composition', p, '1', localCompositionSettings({}));
    expect(providerIdentity('composition', p, '1', localCompositionSettings({ EXPORT_GIF: 'true' }))).not.toEqual(plain);
    expect(providerIdentity('composition', p, '1', localCompositionSettings({ BRAND_FONT_FILE: '/fonts/brand.ttf' }))).not.toEqual(plain);
  });
});
