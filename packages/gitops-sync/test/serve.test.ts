import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFixture, git, show, type Fixture } from './helpers/fixture.js';
import { gatedValidator, newId, NOW_S, post, startServer, writeClients, type TestServer } from './helpers/webhook.js';

// `gitops-sync serve` over real HTTP on 127.0.0.1, against a clone with a bare remote: each refusal of the
// issue's Proof list gets its status, commits nothing and logs no secret.

let fx: Fixture;
let repo: string;
let clients: { file: string; secrets: Record<string, string> };
let srv: TestServer;

const remoteHead = () => git(fx.remote, ['rev-parse', 'main']);
const body = (o: unknown) => JSON.stringify(o);

beforeAll(async () => {
  fx = createFixture({ a: { dev: 'v1', preprod: 'v1' }, b: { dev: 'v1' }, c: { dev: 'v1' } });
  repo = fx.clone('imagebot');
  clients = writeClients(fx, [
    { name: 'ci-a', services: ['a'] },
    { name: 'ci-all', services: ['*'] },
    { name: 'ci-pre', services: ['a'], environments: ['preprod'] },
    { name: 'ci-slow', services: ['b'], rateLimit: { requests: 2, perSeconds: 3600 } },
  ]);
  srv = await startServer(repo, clients.file, { maxBody: '1024', pathPrefix: '/imagebot' });
});
afterAll(async () => {
  await srv?.stop();
  fx?.cleanup();
});

describe('POST /v1/bump', () => {
  it('a signed bump is pushed through the code path of bump --push: 200 with the commit, gates and trailers', async () => {
    const r = await post(srv.url, {
      client: 'ci-a',
      secret: clients.secrets['ci-a']!,
      body: body({ service: 'a', tag: 'v2' }),
    });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 'pushed', service: 'a', environment: 'dev', tag: 'v2', attempts: 1 });
    expect(r.json.commit).toBe(remoteHead());
    expect(show(fx.remote, 'main', 'environments/dev/values/a.yaml')).toContain('tag: v2 ');
    const msg = git(fx.remote, ['log', '-1', '--format=%s%n%(trailers)', 'main']);
    expect(msg).toMatch(/^bump\(dev\): a v2\n/);
    expect(msg).toContain('Requested-By: ci-a (imagebot) <ci-a@imagebot.invalid>');
    expect(msg).toMatch(/Promotion-Id: \d{8}T\d{6}Z-[0-9a-f]{8}/);
    // The same tag again: nothing to do, 200 with the current head.
    const again = await post(srv.url, {
      client: 'ci-a',
      secret: clients.secrets['ci-a']!,
      body: body({ service: 'a', tag: 'v2' }),
    });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ status: 'up-to-date', commit: r.json.commit });
  });

  const refusals: [string, () => Parameters<typeof post>[1], number, RegExp][] = [
    [
      'forged signature',
      () => ({
        client: 'ci-a',
        secret: 'x',
        body: body({ service: 'a', tag: 'v9' }),
        signature: `sha256=${'ab'.repeat(32)}`,
      }),
      401,
      /signature does not match/,
    ],
    [
      'wrong secret',
      () => ({ client: 'ci-a', secret: clients.secrets['ci-all']!, body: body({ service: 'a', tag: 'v9' }) }),
      401,
      /signature does not match/,
    ],
    [
      'unknown client',
      () => ({ client: 'ci-x', secret: clients.secrets['ci-a']!, body: body({ service: 'a', tag: 'v9' }) }),
      401,
      /unknown client "ci-x"/,
    ],
    [
      'malformed signature header',
      () => ({ client: 'ci-a', secret: 'x', body: body({ service: 'a', tag: 'v9' }), signature: 'md5=abc' }),
      401,
      /is not sha256=/,
    ],
    [
      'missing headers',
      () => ({
        client: 'ci-a',
        secret: clients.secrets['ci-a']!,
        body: body({ service: 'a', tag: 'v9' }),
        omit: ['x-imagebot-timestamp', 'x-imagebot-request-id'],
      }),
      401,
      /missing headers x-imagebot-timestamp, x-imagebot-request-id/,
    ],
    [
      'expired timestamp',
      () => ({
        client: 'ci-a',
        secret: clients.secrets['ci-a']!,
        body: body({ service: 'a', tag: 'v9' }),
        timestamp: NOW_S - 301,
      }),
      401,
      /301 s in the past/,
    ],
    [
      'future timestamp',
      () => ({
        client: 'ci-a',
        secret: clients.secrets['ci-a']!,
        body: body({ service: 'a', tag: 'v9' }),
        timestamp: NOW_S + 400,
      }),
      401,
      /400 s in the future/,
    ],
    [
      'oversized body',
      () => ({
        client: 'ci-a',
        secret: clients.secrets['ci-a']!,
        body: body({ service: 'a', tag: 'v9', pad: 'x'.repeat(4096) }),
      }),
      413,
      /larger than 1024 bytes/,
    ],
    [
      'malformed JSON',
      () => ({ client: 'ci-a', secret: clients.secrets['ci-a']!, body: '{"service": "a", "tag": ' }),
      400,
      /the body is not JSON/,
    ],
    [
      'not UTF-8',
      () => ({ client: 'ci-a', secret: clients.secrets['ci-a']!, body: Buffer.from([0x7b, 0xff, 0x7d]) }),
      400,
      /the body is not JSON/,
    ],
    [
      'a JSON list',
      () => ({ client: 'ci-a', secret: clients.secrets['ci-a']!, body: '["a"]' }),
      400,
      /must be a JSON object/,
    ],
    [
      'an unknown field',
      () => ({
        client: 'ci-a',
        secret: clients.secrets['ci-a']!,
        body: body({ service: 'a', tag: 'v9', force: true }),
      }),
      400,
      /unknown field "force"/,
    ],
    [
      'a missing tag',
      () => ({ client: 'ci-a', secret: clients.secrets['ci-a']!, body: body({ service: 'a' }) }),
      400,
      /field "tag" is required/,
    ],
    [
      'a path-like service name',
      () => ({
        client: 'ci-all',
        secret: clients.secrets['ci-all']!,
        body: body({ service: '../../etc/passwd', tag: 'v9' }),
      }),
      400,
      /service "\.\.\/\.\.\/etc\/passwd" is not a valid service name/,
    ],
    [
      'a shell-like service name',
      () => ({ client: 'ci-all', secret: clients.secrets['ci-all']!, body: body({ service: 'x$(id -u)', tag: 'v9' }) }),
      400,
      /service "x\$\(id -u\)" is not a valid service name/,
    ],
    [
      'a shell-like tag',
      () => ({ client: 'ci-a', secret: clients.secrets['ci-a']!, body: body({ service: 'a', tag: 'v1;rm -rf /' }) }),
      400,
      /tag "v1;rm -rf \/" is not a valid image tag/,
    ],
    [
      'a bad digest',
      () => ({
        client: 'ci-a',
        secret: clients.secrets['ci-a']!,
        body: body({ service: 'a', tag: 'v9', digest: 'sha256:xyz' }),
      }),
      400,
      /digest "sha256:xyz" is not a valid image digest/,
    ],
    [
      'an environment the client may not touch',
      () => ({
        client: 'ci-a',
        secret: clients.secrets['ci-a']!,
        body: body({ service: 'a', tag: 'v9', environment: 'prod' }),
      }),
      403,
      /client ci-a may not change environment prod: it may change dev \(the testbed, by default\)/,
    ],
    [
      'a service the client may not touch',
      () => ({ client: 'ci-a', secret: clients.secrets['ci-a']!, body: body({ service: 'b', tag: 'v9' }) }),
      403,
      /client ci-a may not bump service b: it may bump a/,
    ],
    [
      'an allowed environment that is not the testbed (the order gate of bump)',
      () => ({
        client: 'ci-pre',
        secret: clients.secrets['ci-pre']!,
        body: body({ service: 'a', tag: 'v9', environment: 'preprod' }),
      }),
      409,
      /refused: order: /,
    ],
    [
      'an environment the repository does not have',
      () => ({
        client: 'ci-all',
        secret: clients.secrets['ci-all']!,
        body: body({ service: 'a', tag: 'v9', environment: 'qa' }),
      }),
      403,
      /may not change environment qa/,
    ],
    [
      'a service without an overlay',
      () => ({ client: 'ci-all', secret: clients.secrets['ci-all']!, body: body({ service: 'zz', tag: 'v9' }) }),
      400,
      /zz/,
    ],
  ];

  it.each(refusals)('%s: refused with the right status, nothing committed', async (_name, request, status, error) => {
    const before = remoteHead();
    const r = await post(srv.url, request());
    expect(r.json.error).toMatch(error);
    expect(r.status).toBe(status);
    expect(remoteHead()).toBe(before);
    expect(git(repo, ['status', '--porcelain'])).toBe('');
  });

  it('under the --path-prefix the frontend keeps (/imagebot/v1/bump) too', async () => {
    const r = await post(
      srv.url,
      { client: 'ci-all', secret: clients.secrets['ci-all']!, body: body({ service: 'c', tag: 'v4' }) },
      '/imagebot/v1/bump',
    );
    expect(r.status).toBe(200);
    expect(r.json.commit).toBe(remoteHead());
    expect((await fetch(`${srv.url}/imagebot/healthz`)).status).toBe(200);
    expect((await fetch(`${srv.url}/imagebotx/healthz`)).status).toBe(404);
  });

  it('a replayed request id is refused (409) and commits nothing more', async () => {
    const req = {
      client: 'ci-all',
      secret: clients.secrets['ci-all']!,
      body: body({ service: 'c', tag: 'v5' }),
      id: newId(),
    };
    const first = await post(srv.url, req);
    expect(first.status).toBe(200);
    const head = remoteHead();
    const again = await post(srv.url, req);
    expect(again.status).toBe(409);
    expect(again.json.error).toMatch(/request id .* was already accepted: a replay/);
    expect(remoteHead()).toBe(head);
  });

  it('a client over its rate limit gets 429 with Retry-After; the refused id may be sent again later', async () => {
    const secret = clients.secrets['ci-slow']!;
    const statuses: number[] = [];
    for (const tag of ['r1', 'r2'])
      statuses.push((await post(srv.url, { client: 'ci-slow', secret, body: body({ service: 'b', tag }) })).status);
    const over = await post(srv.url, { client: 'ci-slow', secret, body: body({ service: 'b', tag: 'r3' }) });
    expect(statuses).toEqual([200, 200]);
    expect(over.status).toBe(429);
    expect(over.json.error).toMatch(/over its rate limit of 2 requests per 3600 s: retry after 1800 s/);
    expect(over.headers.get('retry-after')).toBe('1800');
    expect(show(fx.remote, 'main', 'environments/dev/values/b.yaml')).toContain('tag: r2 ');
  });

  it('GET /healthz and GET /metrics (Prometheus text: requests by status, latency histogram, pushes, failures)', async () => {
    const h = await fetch(`${srv.url}/healthz`);
    expect(h.status).toBe(200);
    expect(await h.json()).toEqual({ status: 'ok', queue: 0 });
    const m = await fetch(`${srv.url}/metrics`);
    expect(m.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await m.text();
    expect(text).toMatch(/^gitops_sync_webhook_requests_total\{route="\/v1\/bump",status="200"\} [1-9]/m);
    expect(text).toMatch(/^gitops_sync_webhook_requests_total\{route="\/v1\/bump",status="401"\} [1-9]/m);
    expect(text).toMatch(/^gitops_sync_webhook_bump_duration_seconds_bucket\{le="\+Inf",outcome="pushed"\} [1-9]/m);
    expect(text).toMatch(/^gitops_sync_webhook_pushes_total [1-9]/m);
    expect(text).toMatch(/^gitops_sync_webhook_push_retries_total 0$/m);
    expect(text).toMatch(/^gitops_sync_webhook_bump_failures_total\{reason="refused"\} [1-9]/m);
    expect((await fetch(`${srv.url}/nope`)).status).toBe(404);
    expect((await fetch(`${srv.url}/v1/bump`)).status).toBe(405);
  });

  it('the logs are one JSON object per request and hold no secret and no signature', () => {
    const text = srv.logs.map((l) => JSON.stringify(l)).join('\n');
    expect(srv.logs.length).toBeGreaterThan(20);
    for (const secret of Object.values(clients.secrets)) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/sha256=[0-9a-f]{64}/);
    const refused = srv.logs.find((l) => l.status === 403 && l.service === 'b');
    expect(refused).toMatchObject({ level: 'warn', method: 'POST', path: '/v1/bump', client: 'ci-a', service: 'b' });
  });
});

describe('the request ids survive a restart; the queue is bounded', () => {
  it('an id accepted before a restart is still refused after it', async () => {
    const f = createFixture({ a: { dev: 'v1' } });
    try {
      const clone = f.clone('imagebot');
      const c = writeClients(f, [{ name: 'ci', services: ['a'] }]);
      const req = { client: 'ci', secret: c.secrets.ci!, body: body({ service: 'a', tag: 'v2' }), id: newId() };
      const one = await startServer(clone, c.file);
      expect((await post(one.url, req)).status).toBe(200);
      await one.stop();
      expect(existsSync(join(clone, '.git', 'gitops-sync-webhook-ids.jsonl'))).toBe(true);
      const two = await startServer(clone, c.file);
      const r = await post(two.url, req);
      await two.stop();
      expect(r.status).toBe(409);
      expect(git(f.remote, ['rev-list', '--count', 'main'])).toBe('2');
    } finally {
      f.cleanup();
    }
  });

  it('a full queue answers 503 (retryable: the same id is accepted afterwards); nothing is lost', async () => {
    const f = createFixture({ a: { dev: 'v1' }, b: { dev: 'v1' } });
    try {
      const clone = f.clone('imagebot');
      const c = writeClients(f, [{ name: 'ci', services: ['*'] }]);
      const gate = gatedValidator(f);
      const s = await startServer(clone, c.file, { queue: '1', env: { GITOPS_SYNC_VALIDATOR: gate.path } });
      const first = post(s.url, { client: 'ci', secret: c.secrets.ci!, body: body({ service: 'a', tag: 'v2' }) });
      while (!existsSync(join(gate.dir, 'started'))) await new Promise((r) => setTimeout(r, 20));
      const second = { client: 'ci', secret: c.secrets.ci!, body: body({ service: 'b', tag: 'v3' }), id: newId() };
      const full = await post(s.url, second);
      expect(full.status).toBe(503);
      expect(full.json.error).toMatch(/the bump queue is full \(1 waiting or running\)/);
      writeFileSync(join(gate.dir, 'release'), '');
      expect((await first).status).toBe(200);
      expect((await post(s.url, second)).status).toBe(200);
      await s.stop();
      expect(show(f.remote, 'main', 'environments/dev/values/b.yaml')).toContain('tag: v3 ');
    } finally {
      f.cleanup();
    }
  });
});
