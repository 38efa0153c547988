import type { AdPlan, CompositionOutput, VideoGenerationOutput } from '@app/contracts';
import { jobState, sagaPlan } from '../../test/fixtures/saga';
import { stageInput, type JobState } from './job-saga';
import { v2Exports } from './job-response-v2';
import { v2Links } from './links';

const JOB = '00000000-0000-4000-8000-000000000002';

const plan = (): AdPlan => sagaPlan([5, 5, 5], 'tiktok');

const clip = (i: number): VideoGenerationOutput => ({ clip_uri: `file:///a/clip-${i}.mp4`, duration: 5.5, resolution: '1080x1920' });

function state(overrides: Partial<JobState> = {}): JobState {
  return jobState({
    id: JOB,
    status: 'processing',
    apiVersion: 2,
    request: { prompt: 'A luxury watch ad with gold', duration: 15, aspect_ratio: '9:16' },
    currentStage: 'video_generation',
    stagesCompleted: ['prompt_parsing', 'image_generation', 'storyboard', 'video_generation'],
    progressPercentage: 85,
    plan: plan(),
    referenceImageUri: 'file:///a/ref.png',
    clips: [clip(1), clip(2), clip(3)],
    scenesTotal: 3,
    scenesDone: 3,
    scenesDispatched: 3,
    version: 7,
    ...overrides,
  });
}

describe('composition input of a job with exports', () => {
  it('should carry no exports field for a v1 job or a v2 job without exportFormats', () => {
    for (const options of [null, {}, { exportFormats: [] }, { exportFormats: ['mp4'] }, { exportFormats: ['mp4:9:16'] }]) {
      const input = stageInput(state({ options }), 'composition', null);
      expect(Object.keys(input).sort()).toEqual(['aspect_ratio', 'brand_guidelines', 'clips', 'duration', 'plan']);
    }
  });

  it('should carry the planned exports, in their fixed order, when the job asks for them', () => {
    const input = stageInput(state({ options: { exportFormats: ['mp4:16:9', 'mp4', 'webm', 'gif'] } }), 'composition', null);
    expect(input.exports).toEqual(['gif', 'webm', 'mp4:16:9']);
    expect(input.clips).toHaveLength(3);
  });
});

describe('v2Exports', () => {
  const links = v2Links('http://api.test', JOB);
  const base: CompositionOutput = {
    video_uri: 'file:///a/final.mp4',
    thumbnail_uri: 'file:///a/thumbnail.jpg',
    duration: 15,
    resolution: '1080x1920',
    file_size_bytes: 3_000_000,
    scenes: 3,
  };
  const artifact = (format: 'gif' | 'webm' | 'mp4:16:9', key: 'gif' | 'webm' | '16:9') => ({
    format,
    key,
    uri: `file:///a/${key}`,
    mime_type: 'x/y',
    file_size_bytes: 1,
    duration: 15,
    width: 1,
    height: 1,
  });

  it('should serve each made export by key and list the skipped ones', () => {
    const out = v2Exports(
      {
        ...base,
        exports: [artifact('gif', 'gif'), artifact('mp4:16:9', '16:9')],
        export_failures: [{ format: 'webm', code: 'TIMEOUT', message: 'webm export ran past 60000 ms' }],
      },
      ['gif', 'webm', 'mp4:16:9'],
      '9:16',
      links,
    );
    expect(out).toEqual({
      exports: { gif: `http://api.test/api/v2/jobs/${JOB}/exports/gif`, '16:9': `http://api.test/api/v2/jobs/${JOB}/exports/16:9` },
      exportFailures: [{ format: 'webm', code: 'TIMEOUT', message: 'webm export ran past 60000 ms' }],
    });
  });

  it('should list a requested export the compositor neither made nor listed (a compositor without exports)', () => {
    expect(v2Exports(base, ['mp4', 'gif', 'mp4:1:1'], '9:16', links)).toEqual({
      exports: {},
      exportFailures: [
        { format: 'gif', code: 'SERVICE_UNAVAILABLE', message: 'the composition provider made no such export' },
        { format: 'mp4:1:1', code: 'SERVICE_UNAVAILABLE', message: 'the composition provider made no such export' },
      ],
    });
  });

  it("should point a requested export of the job's own aspect at the ad itself", () => {
    expect(v2Exports(base, ['mp4:9:16'], '9:16', links)).toEqual({ exports: { '9:16': links.data }, exportFailures: [] });
  });

  it('should serve the deployment-wide previews when no requested export took their key', () => {
    expect(v2Exports({ ...base, gif_uri: 'file:///a/preview.gif', webm_uri: 'file:///a/final.webm' }, undefined, '9:16', links).exports).toEqual({
      gif: links.exportUrl('gif'),
      webm: links.exportUrl('webm'),
    });
    expect(v2Exports(base, undefined, '9:16', links)).toEqual({ exports: {}, exportFailures: [] });
  });
});
