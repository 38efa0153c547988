/**
 * Provider choice per stage (issue #3). `local` is the default on every stage so a fresh machine makes a real
 * ad offline with no API key. Other providers and their keys, URLs and price tables are added here.
 */
export interface ProvidersConfig {
  promptParser: 'local';
  image: 'local';
  video: 'local';
  composition: 'local';
}

/**
 * Reads provider settings from the environment.
 * @returns the settings and a list of problems (empty when valid); the caller refuses to start on problems.
 */
export function loadProvidersConfig(env: NodeJS.ProcessEnv): { config: ProvidersConfig; problems: string[] } {
  const problems: string[] = [];
  const pick = (name: string): 'local' => {
    const value = (env[name] ?? 'local').trim();
    if (value !== 'local') problems.push(`${name}: unsupported provider "${value}" (supported: local)`);
    return 'local';
  };
  return {
    config: {
      promptParser: pick('PROMPT_PARSER_PROVIDER'),
      image: pick('IMAGE_PROVIDER'),
      video: pick('VIDEO_PROVIDER'),
      composition: pick('COMPOSITION_PROVIDER'),
    },
    problems,
  };
}

/**
 * USD estimate of one stage for a job, from the configured provider's price table (local: 0).
 * @param job scene durations and ad duration, seconds
 */
export function estimateStageCostUsd(
  providers: ProvidersConfig,
  stage: 'prompt_parsing' | 'image_generation' | 'video_generation' | 'composition',
  job: { sceneSeconds: number[]; durationSeconds: number },
): number {
  void providers;
  void stage;
  void job;
  return 0;
}
