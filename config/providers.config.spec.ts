import { inspect } from 'node:util';
import { loadProvidersConfig } from './providers.config';

describe('loadProvidersConfig', () => {
  it('should default every stage to local with the documented timeouts and retry policy', () => {
    const { config, problems } = loadProvidersConfig({});
    expect(problems).toEqual([]);
    expect([config.promptParser, config.image, config.video, config.composition]).toEqual(['local', 'local', 'local', 'local']);
    expect(config.resilience.timeoutSeconds).toEqual({ prompt_parsing: 10, image_generation: 15, storyboard: 120, video_generation: 90, composition: 30 });
    expect(config.resilience).toMatchObject({ maxRetries: 3, retryBaseMs: 2000, breakerThreshold: 5, breakerHalfOpenAfterMs: 60_000 });
  });

  it('should refuse a chosen provider without its key or URL, and unknown providers', () => {
    const { problems } = loadProvidersConfig({ PROMPT_PARSER_PROVIDER: 'openai', IMAGE_PROVIDER: 'replicate', VIDEO_PROVIDER: 'http', COMPOSITION_PROVIDER: 'replicate' });
    expect(problems).toEqual(
      expect.arrayContaining([
        'PROMPT_PARSER_PROVIDER=openai needs OPENAI_API_KEY',
        'IMAGE_PROVIDER=replicate needs REPLICATE_API_TOKEN',
        'VIDEO_PROVIDER=http needs VIDEO_GEN_URL',
        'COMPOSITION_PROVIDER: unsupported provider "replicate" (supported: local, http)',
      ]),
    );
  });

  it('should never print a secret', () => {
    const { config } = loadProvidersConfig({ OPENAI_API_KEY: 'sk-very-secret', REPLICATE_API_TOKEN: 'r8_secret' });
    const printed = [JSON.stringify(config), inspect(config, { depth: 10 }), String(config.openai.apiKey)].join(' ');
    expect(printed).not.toContain('secret');
    expect(config.openai.apiKey.reveal()).toBe('sk-very-secret');
  });

  it('should merge price tables from JSON and individual variables', () => {
    const { config, problems } = loadProvidersConfig({
      OPENAI_MODEL: 'gpt-4o',
      OPENAI_PRICE_OUTPUT_PER_1M: '12',
      REPLICATE_PRICES_JSON: '{"acme/clip": {"unit": "predict_second", "usd": 0.001}}',
    });
    expect(problems).toEqual([]);
    expect(config.prices.openai['gpt-4o']).toEqual({ inputPer1M: 2.5, outputPer1M: 12 });
    expect(config.prices.replicate['acme/clip']).toEqual({ unit: 'predict_second', usd: 0.001 });
    expect(loadProvidersConfig({ REPLICATE_PRICES_JSON: '{"a/b": {"unit": "frame", "usd": 1}}' }).problems[0]).toContain('REPLICATE_PRICES_JSON');
  });
});
