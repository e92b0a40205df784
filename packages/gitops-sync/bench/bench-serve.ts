// Load test of `gitops-sync serve` (the real CLI process) on 127.0.0.1: BUMPS signed bumps (default 2,000) at
// concurrency 50 into a bare remote, each a new tag of one of 50 services, then checks that every accepted
// bump is in the remote's history exactly once (and nothing else is). Prints p50/p99 latency and throughput.
// Bounded: it stops sending after GITOPS_SYNC_BENCH_MINUTES (default 30) and reports what it did by then.
// The validation gate runs the test validator (test/helpers/fake-validator.cjs): this measures the server,
// git and the push path, not helm. Not part of npm test.
// Run: npm run bench -- gitops-sync   (or: npx tsx packages/gitops-sync/bench/bench-serve.ts)
//      GITOPS_SYNC_BENCH_BUMPS=200 GITOPS_SYNC_BENCH_CONCURRENCY=20 npx tsx packages/gitops-sync/bench/bench-serve.ts
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { sign } from '../src/core/webhook-auth.js';
import { BIN, createFixture, FAKE_VALIDATOR, git } from '../test/helpers/fixture.js';
import { newId, writeClients } from '../test/helpers/webhook.js';

const BUMPS = Number(process.env.GITOPS_SYNC_BENCH_BUMPS ?? 2000);
const CONCURRENCY = Number(process.env.GITOPS_SYNC_BENCH_CONCURRENCY ?? 50);
const MINUTES = Number(process.env.GITOPS_SYNC_BENCH_MINUTES ?? 30);
const services = Array.from({ length: 50 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);

const fx = createFixture(Object.fromEntries(services.map((s) => [s, { dev: 'v0' }])));
const repo = fx.clone('imagebot');
const clients = writeClients(fx, [{ name: 'ci', services: ['*'], rateLimit: { requests: 100_000, perSeconds: 60 } }]);
const base = git(fx.remote, ['rev-parse', 'main']);
const server = spawn(
  process.execPath,
  [BIN, 'serve', '--root', repo, '--clients', clients.file, '--port', '0', '--queue', String(CONCURRENCY * 2)],
  { env: { ...process.env, GITOPS_SYNC_VALIDATOR: FAKE_VALIDATOR }, stdio: ['ignore', 'pipe', 'inherit'] },
);
const url = await new Promise<string>((resolve, reject) => {
  server.on('exit', (code) => reject(new Error(`the server exited (${code}) before listening`)));
  createInterface({ input: server.stdout! }).on('line', (line) => {
    const e = JSON.parse(line);
    if (e.event === 'listening') resolve(e.url);
  });
});
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** One POST over node:http (keep-alive, one socket per worker); resolves with the status code. */
function postBump(headers: Record<string, string>, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/bump`, { method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface Result {
  i: number;
  status: number;
  ms: number;
}
const results: Result[] = [];
const deadline = Date.now() + MINUTES * 60_000;
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < BUMPS && Date.now() < deadline) {
      const i = next++;
      const body = Buffer.from(JSON.stringify({ service: services[i % services.length], tag: `b.${i}` }));
      const ts = String(Math.floor(Date.now() / 1000));
      const id = newId();
      const t0 = performance.now();
      const status = await postBump(
        {
          'content-type': 'application/json',
          'x-imagebot-client': 'ci',
          'x-imagebot-timestamp': ts,
          'x-imagebot-request-id': id,
          'x-imagebot-signature': sign(clients.secrets.ci!, ts, id, body),
        },
        body,
      );
      results.push({ i, status, ms: performance.now() - t0 });
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
const metrics = await (await fetch(`${url}/metrics`)).text();
server.kill('SIGTERM');
await new Promise((r) => server.on('close', r));

const accepted = results.filter((r) => r.status === 200);
const subjects = git(fx.remote, ['log', '--format=%s', `${base}..main`])
  .split('\n')
  .filter(Boolean);
const counts = new Map<string, number>();
for (const s of subjects) counts.set(s, (counts.get(s) ?? 0) + 1);
const expected = accepted.map((r) => `bump(dev): ${services[r.i % services.length]} b.${r.i}`);
const missing = expected.filter((s) => counts.get(s) !== 1);
const extra = subjects.length - expected.length;
const sorted = accepted.map((r) => r.ms).sort((a, b) => a - b);
const pct = (p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
const byStatus = [...new Set(results.map((r) => r.status))]
  .sort()
  .map((s) => `${s}: ${results.filter((r) => r.status === s).length}`)
  .join(', ');
const retries = /^gitops_sync_webhook_push_retries_total (\d+)/m.exec(metrics)?.[1];
const pushes = /^gitops_sync_webhook_pushes_total (\d+)/m.exec(metrics)?.[1];
const batches = /^gitops_sync_webhook_batches_total (\d+)/m.exec(metrics)?.[1];
console.log(
  `serve: ${results.length} signed bumps sent at concurrency ${CONCURRENCY} (${byStatus}) in ${seconds.toFixed(1)} s: ` +
    `${(accepted.length / seconds).toFixed(2)} bumps/s; latency p50 ${(pct(50) / 1000).toFixed(2)} s, p99 ${(pct(99) / 1000).toFixed(2)} s ` +
    `(queue wait included); ${batches} batches, ${pushes} pushes, push retries ${retries}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
);
console.log(
  `history: ${subjects.length} new commits; every accepted bump exactly once: ${missing.length === 0 && extra === 0 ? 'yes' : `NO (${missing.length} missing or repeated, ${extra} extra)`}`,
);
fx.cleanup();
agent.destroy();
if (missing.length || extra || results.length < BUMPS) {
  if (results.length < BUMPS) console.log(`stopped by the ${MINUTES}-minute bound after ${results.length} of ${BUMPS}`);
  process.exitCode = 1;
}
