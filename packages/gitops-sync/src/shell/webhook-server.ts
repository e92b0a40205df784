import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { UsageError } from '@cmsweb/toolkit';
import type { BatchResult, ChangeReport } from '../commands/change.js';
import { authenticate, WINDOW_SECONDS } from '../core/webhook-auth.js';
import { permissionProblem, type WebhookClient } from '../core/webhook-clients.js';
import { parseBumpBody, type BumpRequest } from '../core/webhook-request.js';
import { takeToken, type Bucket } from '../core/rate-limit.js';
import { Refused } from './git-state.js';
import type { ReplayStore } from './replay-store.js';
import { createWebhookMetrics } from './webhook-metrics.js';

// The HTTP shell of `gitops-sync serve`: node:http, one route that changes anything (POST /v1/bump). Order of
// the checks: size (413) → signature, clock window (401) → replayed id (409) → client's rate (429) → body
// grammar (400) → permission (403) → queue (503) → the bump (200, or 409 refused by a gate / compare-and-swap /
// the remote; 503 when the remote kept moving past the retry bound). One batch runs at a time: bumps that
// arrive meanwhile wait, and the next batch takes up to `batchLimit` of them, run through `bumps` (the code
// path of `bump --push` for each, one push for all); at most `queueLimit` wait or run, the next is a 503.

export type LogEntry = Record<string, string | number | boolean | undefined>;

export interface WebhookServerOptions {
  clients: ReadonlyMap<string, { client: WebhookClient; secret: Uint8Array }>;
  testbed: string;
  replay: ReplayStore;
  /**
   * `bump --push` for several queued bumps at once, one push for all (bumpBatch in commands/change.ts), each
   * with its client's requester identity; one result per bump, in order. Throws what is the whole batch's.
   */
  bumps(batch: readonly QueuedBump[]): Promise<BatchResult[]>;
  /** The server's clock (GITOPS_SYNC_NOW in tests). */
  now(): Date;
  log(entry: LogEntry): void;
  maxBodyBytes?: number;
  queueLimit?: number;
  /** At most this many queued bumps go into one batch (one push). */
  batchLimit?: number;
  /** GET /: the status page (HTML), given the query's namespace and team filters. */
  page?(filter: { namespace?: string; team?: string }): Promise<string>;
  /** A URL prefix the frontend keeps when it forwards (e.g. /imagebot): /imagebot/v1/bump is /v1/bump. */
  pathPrefix?: string;
}

export interface WebhookServer {
  server: Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops accepting, lets every accepted request finish (queued bumps included), then resolves. */
  shutdown(): Promise<void>;
}

export const DEFAULT_MAX_BODY = 16 * 1024;
export const DEFAULT_QUEUE_LIMIT = 100;
export const DEFAULT_BATCH_LIMIT = 50;

export type QueuedBump = Required<Pick<BumpRequest, 'service' | 'tag' | 'digest'>> & { env: string; requester: string };

interface Job {
  bump: QueuedBump;
  /** Called when the job's batch starts. */
  start(): Promise<void>;
  done(result: BatchResult): void;
}

type Answer = { status: number; body: Record<string, unknown>; headers?: Record<string, string>; log?: LogEntry };

export function createWebhookServer(o: WebhookServerOptions): WebhookServer {
  const maxBody = o.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const queueLimit = o.queueLimit ?? DEFAULT_QUEUE_LIMIT;
  const metrics = createWebhookMetrics();
  const buckets = new Map<string, Bucket>();
  let draining = false;
  let depth = 0;
  const batchLimit = o.batchLimit ?? DEFAULT_BATCH_LIMIT;
  const waiting: Job[] = [];
  let running = false;
  let idle: (() => void) | undefined;

  // One batch at a time: while it runs, new bumps wait; the next batch takes up to batchLimit of them, in
  // arrival order.
  function enqueue(bump: QueuedBump, start: () => Promise<void>): Promise<BatchResult> | undefined {
    if (draining || depth >= queueLimit) return undefined;
    depth++;
    metrics.queue.set(depth);
    const result = new Promise<BatchResult>((done) => waiting.push({ bump, start, done }));
    void pump();
    return result;
  }

  async function pump(): Promise<void> {
    if (running || waiting.length === 0) return;
    running = true;
    const batch = waiting.splice(0, batchLimit);
    let results: BatchResult[];
    try {
      await Promise.all(batch.map((j) => j.start()));
      results = await o.bumps(batch.map((j) => j.bump));
    } catch (e) {
      results = batch.map(() => ({ error: e }));
    }
    metrics.batches.inc();
    metrics.batchSize.observe(batch.length);
    const first = results.find((r): r is { report: ChangeReport } => 'report' in r);
    if (first) {
      metrics.retries.inc(first.report.outcome.races.length);
      if (results.some((r) => 'report' in r && r.report.outcome.status === 'pushed')) metrics.pushes.inc();
    }
    for (const [k, j] of batch.entries()) j.done(results[k]!);
    depth -= batch.length;
    metrics.queue.set(depth);
    running = false;
    if (depth === 0) idle?.();
    void pump();
  }

  async function handleBump(req: IncomingMessage, body: Buffer): Promise<Answer> {
    const now = o.now();
    const nowS = Math.floor(now.getTime() / 1000);
    const auth = authenticate(req.headers, body, nowS, (name) => o.clients.get(name));
    if (!auth.ok) return { status: 401, body: { error: auth.error }, log: { client: auth.clientName } };
    const client = auth.client;
    const ctx: LogEntry = { client: client.name, requestId: auth.requestId };
    const key = `${client.name}/${auth.requestId}`;
    // Remembered until its timestamp leaves the window: after that the clock check refuses it anyway.
    if (!o.replay.reserve(key, auth.timestamp + WINDOW_SECONDS + 1, nowS))
      return {
        status: 409,
        body: {
          error: `request id ${auth.requestId} was already accepted: a replay (sign each request with a new id)`,
        },
        log: ctx,
      };
    const taken = takeToken(buckets.get(client.name), client.rate, now.getTime());
    buckets.set(client.name, taken.bucket);
    if (!taken.allowed) {
      o.replay.release(key);
      return {
        status: 429,
        body: {
          error: `client ${client.name} is over its rate limit of ${client.rate.requests} requests per ${client.rate.perSeconds} s: retry after ${taken.retryAfterSeconds} s`,
        },
        headers: { 'retry-after': String(taken.retryAfterSeconds) },
        log: ctx,
      };
    }
    const parsed = parseBumpBody(body);
    if (!parsed.ok) {
      await o.replay.keep(key);
      return { status: 400, body: { error: parsed.error }, log: ctx };
    }
    const r = parsed.request;
    const env = r.environment ?? o.testbed;
    const what: LogEntry = { ...ctx, service: r.service, environment: env, tag: r.tag };
    const denied = permissionProblem(client, r.service, env, o.testbed);
    if (denied) {
      await o.replay.keep(key);
      return { status: 403, body: { error: denied }, log: what };
    }
    const started = { at: 0 };
    const queued = enqueue(
      { service: r.service, env, tag: r.tag, digest: r.digest, requester: client.requester },
      async () => {
        // Written down when the bump starts: a request lost in the queue by a crash may be sent again.
        await o.replay.keep(key);
        started.at = performance.now();
      },
    );
    if (!queued) {
      // Not started: the client may send the same request again.
      o.replay.release(key);
      return {
        status: 503,
        body: {
          error: draining
            ? 'the server is shutting down: retry against its successor'
            : `the bump queue is full (${queueLimit} waiting or running): retry later`,
        },
        headers: { 'retry-after': '5' },
        log: what,
      };
    }
    const result = await queued;
    if ('error' in result) {
      const e = result.error;
      const outcome = e instanceof UsageError ? 'bad-input' : e instanceof Refused ? 'repository' : 'error';
      metrics.failures.inc({ reason: outcome === 'bad-input' ? 'refused' : 'error' });
      metrics.bumpSeconds.observe({ outcome }, (performance.now() - started.at) / 1000);
      const message = e instanceof Error ? e.message.split('\n')[0]! : String(e);
      if (e instanceof UsageError) return { status: 400, body: { error: message }, log: what };
      if (e instanceof Refused)
        return {
          status: 503,
          body: { error: `the server's repository cannot take a change now: ${message}` },
          log: what,
        };
      return { status: 500, body: { error: 'internal error (see the server log)' }, log: { ...what, error: message } };
    }
    const report = result.report;
    const out = report.outcome;
    metrics.bumpSeconds.observe({ outcome: out.status }, (performance.now() - started.at) / 1000);
    const summary = { service: r.service, environment: env, tag: r.tag, digest: r.digest, attempts: out.attempts };
    if (out.status === 'pushed') {
      return {
        status: 200,
        body: { status: 'pushed', commit: out.commit, ...summary },
        log: { ...what, commit: out.commit },
      };
    }
    if (out.status === 'up-to-date')
      return { status: 200, body: { status: 'up-to-date', commit: out.base, ...summary }, log: what };
    metrics.failures.inc({ reason: 'refused' });
    if (out.gaveUp)
      return {
        status: 503,
        body: { error: `the remote kept moving: ${out.reason}; retry later`, ...summary },
        headers: { 'retry-after': '5' },
        log: { ...what, error: out.reason },
      };
    const failed = out.plan.gates.filter((g) => g.status === 'fail');
    const error = out.reason ?? failed.map((g) => `${g.gate}: ${g.message}`).join('; ');
    return {
      status: 409,
      body: {
        error: `refused: ${error || out.status}`,
        gates: failed.map((g) => ({ gate: g.gate, message: g.message })),
        ...summary,
      },
      log: { ...what, error },
    };
  }

  async function route(req: IncomingMessage, body: Buffer | undefined): Promise<Answer> {
    const path = pathOf(req);
    if (path === '/healthz') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed('GET');
      return draining
        ? { status: 503, body: { status: 'shutting down' } }
        : { status: 200, body: { status: 'ok', queue: depth } };
    }
    if (path === '/v1/bump') {
      if (req.method !== 'POST') return methodNotAllowed('POST');
      if (body === undefined)
        return {
          status: 413,
          body: { error: `the body is larger than ${maxBody} bytes` },
          headers: { connection: 'close' },
        };
      return handleBump(req, body);
    }
    return {
      status: 404,
      body: { error: `no route ${req.method} ${path}: expected POST /v1/bump, GET /healthz or GET /metrics` },
    };
  }

  const pathOf = (req: IncomingMessage): string => {
    const path = (req.url ?? '/').split('?')[0]!;
    const p = o.pathPrefix;
    return p && path.startsWith(`${p}/`) ? path.slice(p.length) : path;
  };

  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => {
    const t0 = performance.now();
    const path = pathOf(req);
    const routeLabel = ['/v1/bump', '/healthz', '/metrics', '/'].includes(path) ? path : 'other';
    const finish = (a: Answer) => {
      metrics.requests.inc({ route: routeLabel, status: String(a.status) });
      const text = JSON.stringify(a.body) + '\n';
      send(res, a.status, 'application/json; charset=utf-8', text, {
        ...a.headers,
        ...(draining ? { connection: 'close' } : {}),
      });
      o.log({
        time: o.now().toISOString(),
        level: a.status >= 500 ? 'error' : a.status >= 400 ? 'warn' : 'info',
        method: req.method,
        path,
        status: a.status,
        ...a.log,
        ...(a.status >= 400 && typeof a.body.error === 'string' ? { error: a.log?.error ?? a.body.error } : {}),
        ms: Math.round(performance.now() - t0),
      });
    };
    if (path === '/' && o.page && (req.method === 'GET' || req.method === 'HEAD')) {
      const q = new URL(req.url ?? '/', 'http://x').searchParams;
      const filter = { namespace: q.get('namespace') || undefined, team: q.get('team') || undefined };
      o.page(Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined))).then(
        (html) => {
          metrics.requests.inc({ route: '/', status: '200' });
          send(res, 200, 'text/html; charset=utf-8', html, {});
        },
        (e: unknown) =>
          finish({
            status: 500,
            body: { error: 'the status page could not be built (see the server log)' },
            log: { error: e instanceof Error ? e.message.split('\n')[0] : String(e) },
          }),
      );
      return;
    }
    if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      metrics.registry.metrics().then(
        (text) => {
          metrics.requests.inc({ route: routeLabel, status: '200' });
          send(res, 200, metrics.registry.contentType, text, {});
        },
        () => finish({ status: 500, body: { error: 'metrics unavailable' } }),
      );
      return;
    }
    readBody(req, maxBody).then(
      (body) =>
        route(req, body).then(finish, (e: unknown) =>
          finish({
            status: 500,
            body: { error: 'internal error (see the server log)' },
            log: { error: e instanceof Error ? e.message.split('\n')[0] : String(e) },
          }),
        ),
      () => res.destroy(),
    );
  });

  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    async shutdown() {
      draining = true;
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      if (depth > 0) await new Promise<void>((r) => (idle = r));
      server.closeIdleConnections();
      await closed;
      await o.replay.close();
    },
  };
}

function methodNotAllowed(allowed: string): Answer {
  return { status: 405, body: { error: `method not allowed: expected ${allowed}` }, headers: { allow: allowed } };
}

function send(res: ServerResponse, status: number, type: string, text: string, headers: Record<string, string>): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/**
 * The raw body, or undefined when it is larger than `limit` (the rest is read and dropped, up to 64 times
 * the limit, so the client sees the 413 rather than a reset; past that the connection is cut).
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const chunks: Buffer[] = [];
    let size = 0;
    let over = declared > limit;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      if (!over) chunks.push(c);
      else if (size > 64 * limit) req.destroy();
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
