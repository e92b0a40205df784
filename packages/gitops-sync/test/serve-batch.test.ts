import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { batchHistory } from '../src/shell/run-change.js';
import { readOverlayVersions } from '../src/shell/read-history.js';
import { at, BIN, cliEnv, createFixture, FAKE_VALIDATOR, git, overlay, show, type Fixture } from './helpers/fixture.js';
import { newId, NOW, post, startServer, writeClients } from './helpers/webhook.js';

// `gitops-sync serve` batches queued bumps: while one batch runs, new bumps wait; the next batch takes them
// all (one commit each, one push). Batches are formed deterministically, never by timing: a validator that
// holds its n-th run until the test lets it go keeps a batch running while the test queues the next bumps
// and watches the queue depth on /healthz; a post-receive hook in the bare remote counts the pushes.

let fx: Fixture | undefined;
afterEach(() => fx?.cleanup());

/** A validator whose n-th run writes `<dir>/started-n`, then waits while `<dir>/hold-n` exists. */
function steppedValidator(f: Fixture, holds: number[]): { path: string; dir: string; release(n: number): void } {
  const dir = join(f.dir, 'steps');
  mkdirSync(dir, { recursive: true });
  for (const n of holds) writeFileSync(join(dir, `hold-${n}`), '');
  const path = join(f.dir, 'stepped-validator.cjs');
  writeFileSync(
    path,
    `const fs = require('node:fs');
const dir = ${JSON.stringify(dir)};
let n = 1;
for (;;) { try { fs.writeFileSync(dir + '/run-' + n, '', { flag: 'wx' }); break; } catch { n++; } }
fs.writeFileSync(dir + '/started-' + n, '');
const wait = () => fs.existsSync(dir + '/hold-' + n) ? setTimeout(wait, 20) : require(${JSON.stringify(FAKE_VALIDATOR)});
wait();
`,
  );
  return { path, dir, release: (n) => rmSync(join(dir, `hold-${n}`), { force: true }) };
}

/** Counts the pushes the bare remote accepts (post-receive runs once per push that updated a ref). */
function countPushes(f: Fixture): () => number {
  const file = join(f.dir, 'pushes');
  writeFileSync(file, '');
  const hook = join(f.remote, 'hooks', 'post-receive');
  writeFileSync(hook, `#!/bin/sh\necho push >> ${JSON.stringify(file)}\n`);
  chmodSync(hook, 0o755);
  return () => readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
}

// Every 100 ms: a /healthz poll is an HTTP request on each side, and the waits last seconds on a loaded machine.
const until = async (what: () => boolean | Promise<boolean>) => {
  while (!(await what())) await new Promise((r) => setTimeout(r, 100));
};
const queueIs = (url: string, n: number) => async () =>
  ((await (await fetch(`${url}/healthz`)).json()) as { queue: number }).queue === n;
const subjects = (f: Fixture, base: string) =>
  git(f.remote, ['log', '--reverse', '--format=%s', `${base}..main`])
    .split('\n')
    .filter(Boolean);

/**
 * A fixture with services in dev at v1, a clone for the server, one client `ci` allowed every service, and a
 * validator holding the runs `holds`; `sender(url)` posts signed bumps as that client.
 */
function batchSetup(services: string[], holds: number[]) {
  const f = createFixture(Object.fromEntries(services.map((s) => [s, { dev: 'v1' }])));
  fx = f;
  const repo = f.clone('imagebot');
  const clients = writeClients(f, [{ name: 'ci', services: ['*'] }]);
  const gate = steppedValidator(f, holds);
  const base = git(f.remote, ['rev-parse', 'main']);
  const sender = (url: string) => (service: string, tag: string) =>
    post(url, { client: 'ci', secret: clients.secrets.ci!, body: JSON.stringify({ service, tag }), id: newId() });
  return { f, repo, clients, gate, base, sender };
}

describe('serve batches queued bumps', () => {
  it('bumps queued behind a running one land as one push, one commit each, in arrival order; a bump the validation gate refuses gets its own 409 and the others still land', async () => {
    const { f, repo, clients, gate, base, sender } = batchSetup(['a', 'b', 'c', 'd'], [1]);
    const pushes = countPushes(f);
    const srv = await startServer(repo, clients.file, { env: { GITOPS_SYNC_VALIDATOR: gate.path } });
    const send = sender(srv.url);
    const first = send('a', 'v2');
    await until(() => existsSync(join(gate.dir, 'started-1')));
    // Queued one after the other while the first bump holds the repository (depth counts the running one).
    const queued = [];
    for (const [i, [service, tag]] of [
      ['b', 'v3'],
      ['c', 'broken'],
      ['d', 'v4'],
      ['b', 'v5'],
    ].entries()) {
      queued.push(send(service!, tag!));
      await until(queueIs(srv.url, i + 2));
    }
    gate.release(1);
    expect((await first).status).toBe(200);
    const [b, refused, d, b2] = await Promise.all(queued);
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    await srv.stop();

    expect([b!.status, d!.status, b2!.status]).toEqual([200, 200, 200]);
    expect(refused!.status).toBe(409);
    expect(refused!.json.gates).toEqual([
      { gate: 'validation', message: expect.stringMatching(/^validator findings for c in dev: .*broken/) },
    ]);
    // One commit per accepted bump, with its trailers; the refused one is not in history.
    expect(subjects(f, base)).toEqual(['bump(dev): a v2', 'bump(dev): b v3', 'bump(dev): d v4', 'bump(dev): b v5']);
    expect(git(f.remote, ['log', '-1', '--format=%(trailers:key=Requested-By,valueonly)', d!.json.commit])).toMatch(
      /ci/,
    );
    // Two pushes: the first bump alone, then the batch of the three that passed.
    expect(pushes()).toBe(2);
    expect(metrics).toMatch(/^gitops_sync_webhook_batches_total 2$/m);
    expect(metrics).toMatch(/^gitops_sync_webhook_pushes_total 2$/m);
    expect(metrics).toMatch(/^gitops_sync_webhook_batch_size_bucket\{le="5"\} 2$/m);
    // The later bump of b applied on top of the earlier one, as two sequential `bump` commands would.
    expect(b2!.json.commit).toBe(git(f.remote, ['rev-parse', 'main']));
    expect(git(f.remote, ['rev-parse', `${b2!.json.commit}^`])).toBe(d!.json.commit);
    expect(show(f.remote, 'main', 'environments/dev/values/b.yaml')).toContain('tag: v5 ');
    expect(show(f.remote, 'main', 'environments/dev/values/c.yaml')).toContain('tag: v1 ');
    expect(git(repo, ['rev-parse', 'HEAD'])).toBe(b2!.json.commit);
    expect(git(repo, ['status', '--porcelain'])).toBe('');
  }, 300_000);

  it('a push race inside a batch: the whole batch is built again on the new head and pushed once, every bump exactly once', async () => {
    const { f, repo, clients, gate, base, sender } = batchSetup(['a', 'b', 'c'], [1, 2]);
    const pushes = countPushes(f);
    const srv = await startServer(repo, clients.file, { env: { GITOPS_SYNC_VALIDATOR: gate.path } });
    const send = sender(srv.url);
    const first = send('a', 'v2');
    await until(() => existsSync(join(gate.dir, 'started-1')));
    const b = send('b', 'v3');
    await until(queueIs(srv.url, 2));
    const cc = send('c', 'v4');
    await until(queueIs(srv.url, 3));
    gate.release(1);
    expect((await first).status).toBe(200);
    // The batch (b, c) has fetched and is validating: someone else pushes meanwhile.
    await until(() => existsSync(join(gate.dir, 'started-2')));
    const foreign = f.commit({ 'NOTES.md': 'a person pushed\n' }, 'docs: a note', at(1));
    gate.release(2);
    const [rb, rc] = await Promise.all([b, cc]);
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    await srv.stop();

    expect([rb.status, rc.status]).toEqual([200, 200]);
    expect([rb.json.attempts, rc.json.attempts]).toEqual([2, 2]);
    expect(subjects(f, base)).toEqual(['bump(dev): a v2', 'docs: a note', 'bump(dev): b v3', 'bump(dev): c v4']);
    expect(git(f.remote, ['rev-parse', `${rb.json.commit}^`])).toBe(foreign);
    // The rejected push updated nothing: the remote saw three pushes (a, the person's, the batch).
    expect(pushes()).toBe(3);
    expect(metrics).toMatch(/^gitops_sync_webhook_push_retries_total 1$/m);
  }, 300_000);

  it('SIGTERM while a batch runs: every bump of the batch finishes and is pushed, nothing half-done, exit 0', async () => {
    const { f, repo, clients, gate, base, sender } = batchSetup(['a', 'b', 'c'], [1, 2]);
    const child = spawn(process.execPath, [BIN, 'serve', '--root', repo, '--clients', clients.file, '--port', '0'], {
      env: { ...process.env, ...cliEnv(NOW), GITOPS_SYNC_VALIDATOR: gate.path },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: Record<string, unknown>[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => logs.push(JSON.parse(line)));
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    await until(() => logs.some((l) => l.event === 'listening'));
    const url = logs.find((l) => l.event === 'listening')!.url as string;
    const send = sender(url);

    const first = send('a', 'v2');
    await until(() => existsSync(join(gate.dir, 'started-1')));
    const b = send('b', 'v3');
    await until(queueIs(url, 2));
    const cc = send('c', 'v4');
    await until(queueIs(url, 3));
    gate.release(1);
    expect((await first).status).toBe(200);
    await until(() => existsSync(join(gate.dir, 'started-2')));
    child.kill('SIGTERM');
    await until(() => logs.some((l) => l.event === 'shutdown'));
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    gate.release(2);
    const [rb, rc] = await Promise.all([b, cc]);
    expect([rb.status, rc.status]).toEqual([200, 200]);
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    expect(logs.at(-1)).toMatchObject({ event: 'stopped' });
    expect(subjects(f, base)).toEqual(['bump(dev): a v2', 'bump(dev): b v3', 'bump(dev): c v4']);
    expect(git(repo, ['rev-parse', 'HEAD'])).toBe(rc.json.commit);
    expect(git(repo, ['status', '--porcelain'])).toBe('');
    const leftovers = readdirSync(join(repo, '.git')).filter((f) => /gitops-sync\.lock|journal|\.lock$/.test(f));
    expect(leftovers).toEqual([]);
  }, 300_000);
});

describe('the history a batch reads', () => {
  it('is what readOverlayVersions reads at each commit of the batch (base read once, the batch on top)', async () => {
    const f = createFixture({ a: { dev: 'v1', preprod: 'v1' }, b: { dev: 'v1' } });
    fx = f;
    f.commit({ 'environments/dev/values/a.yaml': overlay('a', 'dev', 'v2') }, 'bump(dev): a v2', at(1));
    const base = f.commit({ 'environments/dev/values/b.yaml': overlay('b', 'dev', 'v2') }, 'b v2', at(2));
    const one = f.commit({ 'environments/dev/values/a.yaml': overlay('a', 'dev', 'v3') }, 'bump(dev): a v3', at(3));
    const two = f.commit({ 'environments/preprod/values/a.yaml': overlay('a', 'preprod', 'v3') }, 'a', at(4));
    const history = batchHistory(f.seed, base, ['a', 'b']);
    const same = async (commit: string, services: string[]) =>
      expect(JSON.stringify(await history(commit, services))).toBe(
        JSON.stringify(await readOverlayVersions(f.seed, commit, services)),
      );
    for (const commit of [base, one, two]) {
      await same(commit, ['a']);
      await same(commit, ['b']);
    }
    expect((await history(two, ['a'])).map((v) => v.image?.tag)).toEqual(['v3', 'v3', 'v2', 'v1', 'v1']);
  }, 120_000);
});
