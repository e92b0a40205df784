import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runInnerNx, scaffoldNxWorkspace } from '../src/index.js';
import { accessOf, startCacheServer, type CacheServer } from '../src/nx-cache-server.js';

// The shared cache between machines: the real nx (the repository's version, nx.json and .env verbatim) on two throwaway
// checkouts with separate local caches, talking to our server on 127.0.0.1 over nx's own HTTP cache API. The
// second checkout must be served from the first one's results, outputs included, without running the task.

const RW = 'rw-token-0123456789abcdef';
const RO = 'ro-token-0123456789abcdef';
const base = mkdtempSync(join(tmpdir(), 'toolchain-nx-remote-'));
const log = join(base, 'runs.log');
let server: CacheServer;
const requests: string[] = [];

beforeAll(async () => {
  server = await startCacheServer({
    dir: join(base, 'store'),
    readWriteTokens: [RW],
    readOnlyTokens: [RO],
    maxBytes: 4096,
    log: (l) => requests.push(l),
  });
});
afterAll(async () => {
  await server.close();
  rmSync(base, { recursive: true, force: true });
});

/** A checkout: the repository's nx.json, its plugin and runtime-input script, one project whose `test` writes an output. */
function checkout(name: string, message = 'hello'): string {
  const ws = join(base, name);
  const probe = join(ws, 'packages', 'probe');
  // nx.json loads the catalog plugin (no catalog here: it adds no project); .env runs it in nx's own process, as in
  // this repository (NX_ISOLATE_PLUGINS=false: no plugin worker process per nx run, about half its CPU).
  scaffoldNxWorkspace(ws, {
    copy: ['nx.json', '.env', 'scripts/shared-fingerprint.mjs', 'tools/nx-plugin'],
    link: ['node_modules'],
  });
  mkdirSync(probe, { recursive: true });
  writeFileSync(join(ws, 'package.json'), JSON.stringify({ name: 'ws', private: true, workspaces: ['packages/*'] }));
  writeFileSync(
    join(probe, 'run.cjs'),
    `const fs = require('fs');\nfs.appendFileSync(${JSON.stringify(log)}, 'run\\n');\nfs.mkdirSync('.test-results', { recursive: true });\nfs.writeFileSync('.test-results/out.txt', ${JSON.stringify(message)});\nconsole.log('probe ran');\n`,
  );
  const test = { command: 'node run.cjs', options: { cwd: 'packages/probe' } };
  writeFileSync(join(probe, 'package.json'), JSON.stringify({ name: 'probe', nx: { targets: { test } } }));
  return ws;
}

const runs = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0);

async function nx(ws: string, token: string): Promise<string> {
  const { code, out } = await runInnerNx(ws, ['run', 'probe:test', '--outputStyle=stream'], {
    NX_CACHE_DIRECTORY: join(ws, '.local-cache'),
    NX_WORKSPACE_DATA_DIRECTORY: join(ws, '.workspace-data'),
    NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server.url,
    NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token,
  });
  expect(code, out).toBe(0);
  return out;
}

const entries = () => readdirSync(join(base, 'store')).filter((n) => !n.startsWith('.'));

describe('nx remote cache on 127.0.0.1 (nx-cache-server)', () => {
  it('a second checkout is served from the first one’s results, outputs restored, the task not run', {
    timeout: 600_000,
  }, async () => {
    const first = checkout('first');
    await nx(first, RW);
    expect(runs()).toBe(1);
    expect(entries()).toHaveLength(1);
    expect(requests.some((l) => /^PUT \w+ 200 \d+$/.test(l))).toBe(true);

    const second = checkout('second');
    const out = await nx(second, RO); // reading needs only a read-only token
    expect(runs(), 'served from the remote cache: the task did not run again').toBe(1);
    expect(out).toMatch(/remote cache/);
    expect(readFileSync(join(second, 'packages/probe/.test-results/out.txt'), 'utf8')).toBe('hello');

    // A read-only client runs what the cache lacks, and its result is not stored (a merge request cannot poison main).
    const third = checkout('third', 'changed');
    await nx(third, RO);
    expect(runs()).toBe(2);
    expect(entries()).toHaveLength(1);
    expect(requests.some((l) => /^PUT \w+ 403 /.test(l))).toBe(true);
  });

  it('speaks the API: tokens, hashes, immutable entries, size limit', async () => {
    const url = (h: string) => `${server.url}/v1/cache/${h}`;
    const auth = (t: string) => ({ authorization: `Bearer ${t}` });
    expect((await fetch(url('123'))).status).toBe(401);
    expect((await fetch(url('123'), { headers: auth('wrong-token-0123456789') })).status).toBe(401);
    expect((await fetch(url('..%2F..%2Fetc'), { headers: auth(RW) })).status).toBe(400);
    expect((await fetch(url('404404'), { headers: auth(RO) })).status).toBe(404);
    const put = (t: string, body: Uint8Array) => fetch(url('777'), { method: 'PUT', headers: auth(t), body });
    expect((await put(RO, new Uint8Array([1]))).status).toBe(403);
    expect((await put(RW, new Uint8Array(5000))).status).toBe(413);
    expect((await put(RW, new Uint8Array([1, 2, 3]))).status).toBe(200);
    expect((await put(RW, new Uint8Array([9]))).status).toBe(409);
    const got = await fetch(url('777'), { headers: auth(RO) });
    expect(got.status).toBe(200);
    expect([...new Uint8Array(await got.arrayBuffer())]).toEqual([1, 2, 3]);
    expect(readdirSync(join(base, 'store')).filter((n) => n.startsWith('.upload-'))).toEqual([]);
    expect(requests.join('\n')).not.toContain(RW);
  });

  it('grants by token: read-write wins, unknown and malformed headers get nothing', () => {
    expect(accessOf(`Bearer ${RW}`, [RW], [RO])).toBe('write');
    expect(accessOf(`Bearer ${RO}`, [RW], [RO])).toBe('read');
    expect(accessOf(`Bearer ${RO}x`, [RW], [RO])).toBe('none');
    expect(accessOf(RW, [RW], [RO])).toBe('none');
    expect(accessOf(undefined, [RW], [RO])).toBe('none');
  });
});

describe('nx-cache-server CLI', () => {
  const BIN = join(repoRoot, 'packages', 'toolchain', 'bin', 'nx-cache-server.js');
  const run = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        env: { PATH: process.env.PATH, ...env },
      });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('listening on')) child.kill('SIGTERM');
      });
      child.stderr.on('data', (d) => (out += d));
      child.on('close', (code) => resolve({ code, out }));
    });

  it('refuses to run without a token or a folder (exit 2), serves and stops cleanly on SIGTERM (exit 0)', async () => {
    const noToken = await run(['--dir', join(base, 'cli')]);
    expect(noToken.code).toBe(2);
    expect(noToken.out).toContain('NX_CACHE_SERVER_TOKENS is not set');
    const noDir = await run([], { NX_CACHE_SERVER_TOKENS: RW });
    expect(noDir.code).toBe(2);
    expect(noDir.out).toContain('--dir is required');
    const shortToken = await run(['--dir', join(base, 'cli'), '--port', '0'], { NX_CACHE_SERVER_TOKENS: 'short' });
    expect(shortToken.code).toBe(2);
    expect(shortToken.out).toContain('at least 16 characters');
    const ok = await run(['--dir', join(base, 'cli'), '--port', '0'], { NX_CACHE_SERVER_TOKENS: RW });
    expect(ok.out).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(ok.code).toBe(0);
  });
});
