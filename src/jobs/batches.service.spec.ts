import { plainToInstance } from 'class-transformer';
import { AppError } from '../common/app-error';
import { batchSpecs } from './batches.service';
import { BatchDto } from './dto/batch.dto';

const body = (n: number, extra: Record<string, unknown> = {}) => ({ prompt: `A 15 second ad number ${n} for a bakery`, duration: 15, aspect_ratio: '9:16', ...extra });

describe('batchSpecs', () => {
  it("should make one job per request in order, each request's variations in index order", () => {
    const specs = batchSpecs(plainToInstance(BatchDto, { requests: [body(1), body(2, { variations: 3 }), body(3)] }));
    expect(specs.map((s) => [s.request.prompt.match(/number (\d)/)![1], s.variation])).toEqual([
      ['1', 0],
      ['2', 0],
      ['2', 1],
      ['2', 2],
      ['3', 0],
    ]);
    expect(specs[0].request).toEqual({ prompt: body(1).prompt, duration: 15, aspect_ratio: '9:16', brand_guidelines: null });
  });

  it("should give the batch's webhook to requests without one, and keep a request's own", () => {
    const specs = batchSpecs(
      plainToInstance(BatchDto, {
        requests: [body(1), body(2, { webhook_url: 'https://own.example.com/h', webhook_events: ['job.completed'] })],
        webhook_url: 'https://batch.example.com/h',
      }),
    );
    expect(specs[0]).toMatchObject({ webhook: { url: 'https://batch.example.com/h', event_types: null }, webhookField: 'webhook_url' });
    expect(specs[1]).toMatchObject({ webhook: { url: 'https://own.example.com/h', event_types: ['job.completed'] }, webhookField: 'requests.1.webhook_url' });
    expect(batchSpecs(plainToInstance(BatchDto, { requests: [body(1)] }))[0].webhook).toBeUndefined();
  });

  it('should refuse more than 10 jobs in all, naming requests', () => {
    const dto = plainToInstance(BatchDto, { requests: [body(1, { variations: 3 }), body(2, { variations: 3 }), body(3, { variations: 3 }), body(4, { variations: 2 })] });
    let err: unknown;
    try {
      batchSpecs(dto);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('INVALID_INPUT');
    expect((err as AppError).details).toEqual({ fields: { requests: [expect.stringContaining('asks for 11')] } });
    expect(batchSpecs(plainToInstance(BatchDto, { requests: [body(1, { variations: 3 }), body(2, { variations: 3 }), body(3, { variations: 3 }), body(4)] }))).toHaveLength(10);
  });
});
