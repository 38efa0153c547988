import { MikroORM } from '@mikro-orm/postgresql';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { AllowList, checkTarget } from '../../src/webhooks/address-guard';
import { sendWebhook } from '../../src/webhooks/webhook-sender';
import { pollUntil, startTestApp, type TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

const SECRET = `whsec_${Buffer.from('push-test-deployment-secret-32by').toString('base64')}`;

/**
 * Webhooks on the real PostgreSQL and NATS (ROLES=api,orchestrator: no stage workers, so a job stays in
 * prompt_parsing until it is cancelled, which gives each job three events quickly): signatures verified
 * with the standardwebhooks verifier, retries keep the webhook-id, resend, rotation, and the address guard
 * refusing link-local and private targets before any socket is opened.
 */
describe('webhooks', () => {
  let t: TestApp;
  let orm: MikroORM;
  const receiver = new WebhookReceiver();
  let hookUrl: string;

  beforeAll(async () => {
    hookUrl = await receiver.start();
    t = await startTestApp({
      ROLES: 'api,orchestrator',
      WEBHOOK_SIGNING_SECRET: SECRET,
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_RETRY_SCHEDULE_SECONDS: '0,0.3,0.3,0.3',
      WEBHOOK_TIMEOUT_SECONDS: '5',
    });
    orm = t.app.get(MikroORM);
  });

  afterAll(async () => {
    await t?.close();
    await receiver.close();
  });

  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${t.baseUrl}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };

  /** Creates a job, waits until it processes, cancels it: created, started, cancelled. */
  async function jobWithThreeEvents(extra: Record<string, unknown> = {}): Promise<string> {
    const created = await api('POST', '/api/v1/generate-ad', { prompt: 'Create a 15 second ad for trail running shoes', duration: 15, aspect_ratio: '9:16', ...extra });
    expect(created.status).toBe(201);
    const jobId = created.json.job_id as string;
    await pollUntil(() => api('GET', `/api/v1/jobs/${jobId}`), (r) => r.json.status === 'processing', 30_000);
    expect((await api('POST', `/api/v1/jobs/${jobId}/cancel`)).status).toBe(200);
    return jobId;
  }

  async function jobEventIds(jobId: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await orm.em.fork().execute(`select id from outbox where subject like ? order by seq`, [`%.evt.job.%.${jobId}`]);
    return rows.map((r) => r.id);
  }

  it('should call a per-job webhook_url with every event of the job, in version order, each signed and verifiable', async () => {
    const jobId = await jobWithThreeEvents({ webhook_url: `${hookUrl}/job` });
    const expected = await jobEventIds(jobId);
    expect(expected.length).toBe(3);
    const got = await pollUntil(async () => receiver.forJob(jobId), (h) => h.length >= 3, 30_000);
    const verifier = new Webhook(SECRET);
    const payloads = got.map((h) => verifier.verify(h.body, h.headers) as { type: string; timestamp: string; data: { version?: number; job_id: string } });
    expect(got.map((h) => h.headers['webhook-id'])).toEqual(expected);
    expect(payloads.map((p) => p.type)).toEqual(['job.created', 'job.started', 'job.cancelled']);
    const versions = payloads.map((p) => p.data.version ?? 0);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect(payloads.every((p) => p.data.job_id === jobId && !Number.isNaN(Date.parse(p.timestamp)))).toBe(true);
    // A tampered body fails verification.
    expect(() => verifier.verify(got[0].body.replace('job.created', 'job.failed'), got[0].headers)).toThrow();
  });

  it('should retry a delivery answered 500 twice with the same webhook-id, record each attempt, and resend on request', async () => {
    const created = await api('POST', '/api/v1/webhooks', { url: `${hookUrl}/registered`, event_types: ['job.cancelled'] });
    expect(created.status).toBe(201);
    const endpointId = created.json.id as string;
    const secret = created.json.secret as string;
    let fails = 0;
    receiver.respond = (hook) => (hook.headers['webhook-id']?.endsWith('.cancelled') && fails++ < 2 ? 500 : 200);
    try {
      const jobId = await jobWithThreeEvents();
      const hooks = await pollUntil(async () => receiver.forJob(jobId).filter((h) => h.headers['webhook-id'].endsWith('.cancelled')), (h) => h.length >= 3, 30_000);
      expect(hooks.length).toBe(3);
      expect(new Set(hooks.map((h) => h.headers['webhook-id'])).size).toBe(1);
      for (const h of hooks) new Webhook(secret).verify(h.body, h.headers);

      const list = await pollUntil(() => api('GET', `/api/v1/webhooks/${endpointId}/deliveries`), (r) => (r.json.deliveries as Array<{ status: string }>)[0]?.status === 'delivered', 10_000);
      const delivery = (list.json.deliveries as Array<{ id: string; event_type: string; attempt_log: Array<{ response_status: number; outcome: string; duration_ms: number }> }>)[0];
      expect(delivery.event_type).toBe('job.cancelled');
      expect(delivery.attempt_log.map((a) => a.response_status)).toEqual([500, 500, 200]);
      expect(delivery.attempt_log.map((a) => a.outcome)).toEqual(['failed', 'failed', 'delivered']);

      const resend = await api('POST', `/api/v1/webhooks/${endpointId}/deliveries/${delivery.id}/resend`);
      expect(resend.status).toBe(202);
      const again = await pollUntil(async () => receiver.forJob(jobId).filter((h) => h.headers['webhook-id'] === hooks[0].headers['webhook-id']), (h) => h.length >= 4, 10_000);
      new Webhook(secret).verify(again[3].body, again[3].headers);
    } finally {
      receiver.respond = () => 200;
      await api('DELETE', `/api/v1/webhooks/${endpointId}`);
    }
  });

  it('should sign with every active secret after a rotation, so the old and the new secret both verify', async () => {
    const created = await api('POST', '/api/v1/webhooks', { url: `${hookUrl}/rotating`, event_types: ['job.started'] });
    const endpointId = created.json.id as string;
    const oldSecret = created.json.secret as string;
    const rotated = await api('PATCH', `/api/v1/webhooks/${endpointId}`, { rotate_secret: true, previous_secret_ttl_seconds: 3600 });
    expect(rotated.status).toBe(200);
    const newSecret = rotated.json.secret as string;
    expect(newSecret).toMatch(/^whsec_/);
    expect((rotated.json.secrets as unknown[]).length).toBe(2);
    const jobId = await jobWithThreeEvents();
    const [hook] = await pollUntil(async () => receiver.forJob(jobId).filter((h) => h.headers['webhook-id'].endsWith('.started') && h.headers['webhook-signature'].includes(' ')), (h) => h.length >= 1, 20_000);
    expect(hook.headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(oldSecret).verify(hook.body, hook.headers)).not.toThrow();
    expect(() => new Webhook(newSecret).verify(hook.body, hook.headers)).not.toThrow();
    await api('DELETE', `/api/v1/webhooks/${endpointId}`);
  });

  it('should refuse link-local (metadata) and private targets before opening any socket, and refuse them at registration', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://10.0.0.1/hook']) {
      const r = await api('POST', '/api/v1/webhooks', { url });
      expect(r.status).toBe(400);
      expect((r.json.error as { code: string }).code).toBe('INVALID_INPUT');
    }
    // Per-job webhooks are checked at delivery time (names can only be judged once resolved).
    const sockets: Socket[] = [];
    const onSocket = (msg: unknown): void => {
      sockets.push((msg as { socket: Socket }).socket);
    };
    subscribe('net.client.socket', onSocket);
    try {
      const metadataJob = await jobWithThreeEvents({ webhook_url: 'http://169.254.169.254/latest/meta-data/iam' });
      const privateJob = await jobWithThreeEvents({ webhook_url: 'http://10.0.0.1:8080/hook' });
      for (const [jobId, address] of [
        [metadataJob, '169.254.169.254'],
        [privateJob, '10.0.0.1'],
      ]) {
        const attempts = await pollUntil(
          async () =>
            orm.em.fork().execute<Array<{ outcome: string; error: string; response_status: number | null }>>(
              `select a.outcome, a.error, a.response_status from webhook_attempts a join webhook_deliveries d on d.id = a.delivery_id where d.job_id = ?`,
              [jobId],
            ),
          (rows) => rows.length >= 3,
          20_000,
        );
        expect(attempts.every((a) => a.outcome === 'refused' && a.response_status === null && a.error.includes(address))).toBe(true);
      }
      const touched = sockets.filter((s) => ['169.254.169.254', '10.0.0.1'].includes(s.remoteAddress ?? (s as unknown as { _host?: string })._host ?? ''));
      expect(touched).toEqual([]);
    } finally {
      unsubscribe('net.client.socket', onSocket);
    }
  });

  it('should disable an endpoint that answers 410 Gone and announce it with webhook.endpoint_disabled', async () => {
    const created = await api('POST', '/api/v1/webhooks', { url: `${hookUrl}/gone`, event_types: ['job.started'] });
    const endpointId = created.json.id as string;
    receiver.respond = (hook) => (hook.headers['webhook-id'].endsWith('.started') ? 410 : 200);
    try {
      await jobWithThreeEvents();
      const endpoint = await pollUntil(() => api('GET', `/api/v1/webhooks/${endpointId}`), (r) => r.json.enabled === false, 20_000);
      expect(endpoint.json.disabled_reason).toMatch(/410/);
      const announced: Array<{ payload: { type: string; data: { endpoint_id: string } } }> = await orm.em
        .fork()
        .execute(`select payload from outbox where subject like ?`, [`%.evt.webhook.endpoint_disabled.${endpointId}`]);
      expect(announced.map((a) => a.payload)).toEqual([expect.objectContaining({ type: 'webhook.endpoint_disabled', data: expect.objectContaining({ endpoint_id: endpointId }) })]);
      const deliveries = (await api('GET', `/api/v1/webhooks/${endpointId}/deliveries`)).json.deliveries as Array<{ status: string; attempts: number }>;
      expect(deliveries[0]).toMatchObject({ status: 'failed', attempts: 1 });
      // Re-enabled and recovered: the failed delivery goes out again.
      receiver.respond = () => 200;
      expect((await api('PATCH', `/api/v1/webhooks/${endpointId}`, { enabled: true })).json.enabled).toBe(true);
      const recovered = await api('POST', `/api/v1/webhooks/${endpointId}/recover`, { since: new Date(Date.now() - 3600_000).toISOString() });
      expect(recovered.json).toEqual({ requeued: 1 });
      await pollUntil(() => api('GET', `/api/v1/webhooks/${endpointId}/deliveries`), (r) => (r.json.deliveries as Array<{ status: string }>)[0].status === 'delivered', 20_000);
    } finally {
      receiver.respond = () => 200;
      await api('DELETE', `/api/v1/webhooks/${endpointId}`);
    }
  });

  it('should list, read, update and delete registered endpoints and validate their input', async () => {
    const bad = await api('POST', '/api/v1/webhooks', { url: 'ftp://example.com/x', event_types: ['Not A Type'] });
    expect(bad.status).toBe(400);
    expect(Object.keys((bad.json.error as { details: { fields: object } }).details.fields).sort()).toEqual(['event_types', 'url']);
    const created = await api('POST', '/api/v1/webhooks', { url: `${hookUrl}/crud`, description: 'crud' });
    const id = created.json.id as string;
    expect((await api('GET', '/api/v1/webhooks')).json.webhooks).toEqual(expect.arrayContaining([expect.objectContaining({ id, url: `${hookUrl}/crud` })]));
    const patched = await api('PATCH', `/api/v1/webhooks/${id}`, { enabled: false, event_types: ['job.*'] });
    expect(patched.json).toMatchObject({ enabled: false, event_types: ['job.*'] });
    expect((await api('DELETE', `/api/v1/webhooks/${id}`)).status).toBe(204);
    expect((await api('GET', `/api/v1/webhooks/${id}`)).status).toBe(404);
  });
});

describe('pinned connection', () => {
  it('should connect to the address the guard checked, never resolving the name again, and not follow redirects', async () => {
    const receiver = new WebhookReceiver();
    const url = await receiver.start();
    try {
      const port = new URL(url).port;
      // `.test` names never resolve (RFC 2606): reaching the receiver proves the checked address was used.
      const resolve = async () => [{ address: '127.0.0.1', family: 4 }];
      const target = await checkTarget(`http://hooks.pinned.test:${port}/x`, { allowHttp: true, allow: new AllowList(['hooks.pinned.test']), resolve });
      receiver.respond = (_h, i) => (i === 0 ? 200 : 302);
      const ok = await sendWebhook(target, { 'webhook-id': 'msg_1' }, '{}', 5000);
      expect(ok).toMatchObject({ status: 200, error: null });
      expect(receiver.received[0].headers.host).toBe(`hooks.pinned.test:${port}`);
      const redirect = await sendWebhook(target, { 'webhook-id': 'msg_2' }, '{}', 5000);
      expect(redirect.status).toBe(302);
      expect(receiver.received).toHaveLength(2);
    } finally {
      await receiver.close();
    }
  });
});
