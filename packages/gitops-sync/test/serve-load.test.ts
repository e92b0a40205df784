import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BIN, cliEnv, createFixture, git, type Fixture } from './helpers/fixture.js';
import { gatedValidator, newId, NOW, post, startServer, writeClients } from './helpers/webhook.js';

// Many signed bumps at once into one bare remote (exactly once each), and SIGTERM on the real CLI process
// while a bump is in flight (it finishes; nothing half-committed). Asserts outcomes, never speed.

let fx: Fixture | undefined;
afterEach(() => fx?.cleanup());

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

// Twice the concurrency in distinct bumps, four per service, each sent twice: requests always arrive while others
// are in flight, every service is bumped again while bumps of it may be queued, every bump is replayed. 40 bumps
// (the file took 42 CPU s) proved nothing more than 20 do: the same exactly-once claim over twice the commits.
const BUMPS = 20;

describe('serve under load', () => {
  it(`${BUMPS} signed bumps at concurrency 10 (and each sent twice): every accepted bump is in history exactly once`, async () => {
    const services = ['s1', 's2', 's3', 's4', 's5'];
    fx = createFixture(Object.fromEntries(services.map((s) => [s, { dev: 'v0' }])));
    const repo = fx.clone('imagebot');
    const c = writeClients(fx, [{ name: 'ci', services: ['*'], rateLimit: { requests: 1000, perSeconds: 60 } }]);
    const srv = await startServer(repo, c.file);
    const base = git(fx.remote, ['rev-parse', 'main']);
    const requests = Array.from({ length: BUMPS }, (_, i) => ({
      client: 'ci',
      secret: c.secrets.ci!,
      body: JSON.stringify({ service: services[i % 5], tag: `v1.${i}` }),
      id: newId(),
    }));
    const statuses = new Map<string, number[]>();
    // Each request goes out twice (a client retrying on a timeout): the second is a replay.
    await pool([...requests, ...requests], 10, async (r) => {
      const res = await post(srv.url, r);
      statuses.set(r.id, [...(statuses.get(r.id) ?? []), res.status]);
    });
    await srv.stop();
    for (const r of requests) expect(statuses.get(r.id)!.sort(), r.id).toEqual([200, 409]);
    const log = git(fx.remote, ['log', '--format=%P|%s', `${base}..main`]).split('\n');
    expect(log).toHaveLength(BUMPS);
    expect(log.every((l) => l.split('|')[0]!.split(' ').length === 1)).toBe(true); // linear
    const subjects = log.map((l) => l.split('|')[1]).sort();
    expect(subjects).toEqual(requests.map((_, i) => `bump(dev): ${services[i % 5]} v1.${i}`).sort());
    expect(new Set(subjects).size).toBe(BUMPS);
  }, 600_000);
});

describe('serve as a process', () => {
  it('SIGTERM while a bump is in flight: no new connection is accepted, the bump finishes and is pushed, exit 0', async () => {
    fx = createFixture({ a: { dev: 'v1' } });
    const repo = fx.clone('imagebot');
    const c = writeClients(fx, [{ name: 'ci', services: ['a'] }]);
    const gate = gatedValidator(fx);
    const child = spawn(process.execPath, [BIN, 'serve', '--root', repo, '--clients', c.file, '--port', '0'], {
      env: { ...process.env, ...cliEnv(NOW), GITOPS_SYNC_VALIDATOR: gate.path },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: any[] = [];
    const waiters: [(l: any) => boolean, (l: any) => void][] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line);
      logs.push(entry);
      for (const w of waiters.filter(([p]) => p(entry))) w[1](entry);
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const logged = (p: (l: any) => boolean) =>
      new Promise<any>((r) => (logs.find(p) ? r(logs.find(p)) : waiters.push([p, r])));
    const { url } = await logged((l) => l.event === 'listening');

    const inFlight = post(url, {
      client: 'ci',
      secret: c.secrets.ci!,
      body: JSON.stringify({ service: 'a', tag: 'v2' }),
    });
    while (!existsSync(join(gate.dir, 'started'))) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGTERM');
    await logged((l) => l.event === 'shutdown');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    writeFileSync(join(gate.dir, 'release'), '');
    const r = await inFlight;
    expect(r.status).toBe(200);
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    expect(logs.at(-1)).toMatchObject({ event: 'stopped' });
    expect(r.json.commit).toBe(git(fx.remote, ['rev-parse', 'main']));
    expect(git(repo, ['rev-parse', 'HEAD'])).toBe(r.json.commit);
    expect(git(repo, ['status', '--porcelain'])).toBe('');
    const leftovers = readdirSync(join(repo, '.git')).filter((f) => /gitops-sync\.lock|journal|\.lock$/.test(f));
    expect(leftovers).toEqual([]);
    expect(JSON.stringify(logs)).not.toContain(c.secrets.ci);
  }, 300_000);
});
