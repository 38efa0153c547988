import type { AspectRatio } from '@app/contracts';
import { makeAdPlan } from '../fixtures/plans';
import { FakeHttpServer, json, type FakeServerOptions } from './fake-http.server';

/**
 * Fake OpenAI chat completions (https://platform.openai.com/docs/api-reference/chat/create):
 * `POST /v1/chat/completions` with a bearer key, answering a `chat.completion` whose
 * `choices[0].message.content` is an ad plan as JSON for the duration the user message asks, plus `usage`.
 * Fault key: `chat`. `content_policy` answers a refusal; `invalid_plan` a plan whose durations are off by 1 s each and whose hook is too long;
 * `wrong_sums` a plan valid under the JSON schema whose durations sum to 1.5× the request, with overlays
 * outside their scenes, numbers from 2 and a short-hand colour (what arithmetic repair fixes).
 */
export class FakeOpenAiServer extends FakeHttpServer {
  /** Tokens reported per completion. */
  usage = { prompt_tokens: 1000, completion_tokens: 500 };

  constructor(readonly apiKey = 'sk-fake-openai', options: FakeServerOptions = {}) {
    super(options);
    this.on('POST', /^\/v1\/chat\/completions$/, 'chat', (req, res) => {
      if (req.raw.headers.authorization !== `Bearer ${this.apiKey}`) {
        return json(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } });
      }
      const body = req.body as { model: string; messages: Array<{ role: string; content: string }>; response_format?: { type: string } };
      if (body.response_format?.type !== 'json_schema') return json(res, 400, { error: { message: 'response_format json_schema expected by the fake', type: 'invalid_request_error' } });
      const user = body.messages.find((m) => m.role === 'user');
      const request = JSON.parse(user?.content ?? '{}') as { duration_seconds?: number; aspect_ratio?: AspectRatio };
      const durationSeconds = request.duration_seconds ?? 30;
      const plan = makeAdPlan({ durationSeconds, aspectRatio: request.aspect_ratio ?? '9:16' });
      let content: string | null = JSON.stringify(plan);
      let refusal: string | null = null;
      if (req.fault === 'content_policy') {
        content = null;
        refusal = "I'm sorry, I can't help with that request.";
      } else if (req.fault === 'wrong_sums') {
        const scenes = plan.scenes.map((s, i) => ({ ...s, scene_number: i + 2, duration: s.duration * 1.5 }));
        const overlays = plan.text_overlays.map((o, i) => ({ ...o, scene_number: i + 2, start_time: o.start_time + 40, end_time: o.end_time + 45 }));
        const palette = ['#fa0', ...plan.visual_direction.palette.slice(1)];
        content = JSON.stringify({ ...plan, scenes, text_overlays: overlays, visual_direction: { ...plan.visual_direction, palette } });
      } else if (req.fault === 'invalid_plan') {
        // Durations arithmetic can fix, and a hook over 80 characters it cannot: the one repair call is needed.
        content = JSON.stringify({ ...plan, hook: 'x'.repeat(81), scenes: plan.scenes.map((s) => ({ ...s, duration: s.duration + 1 })) });
      }
      json(res, 200, {
        id: `chatcmpl-${this.calls.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content, refusal }, logprobs: null, finish_reason: 'stop' }],
        usage: { ...this.usage, total_tokens: this.usage.prompt_tokens + this.usage.completion_tokens },
      });
    });
  }
}
