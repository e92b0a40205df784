import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '../../src/commands/serve.js';
import { sign } from '../../src/core/webhook-auth.js';
import type { LogEntry } from '../../src/shell/webhook-server.js';
import { cliEnv, FAKE_VALIDATOR, type Fixture } from './fixture.js';

// `gitops-sync serve` in the test process, over real HTTP on 127.0.0.1 (port 0), against a real clone with
// a bare remote; and a client that signs requests as the README says.

export const NOW = '2026-11-10T12:00:00Z';
export const NOW_S = Date.parse(NOW) / 1000;

export interface ClientSpec {
  name: string;
  services?: string[];
  environments?: string[];
  rateLimit?: { requests: number; perSeconds: number };
}

/** Writes a clients file and one secret file per client outside the clone; returns the file and the secrets. */
export function writeClients(fx: Fixture, clients: ClientSpec[]): { file: string; secrets: Record<string, string> } {
  const dir = join(fx.dir, 'secrets');
  mkdirSync(dir, { recursive: true });
  const secrets: Record<string, string> = {};
  const yaml = ['clients:'];
  for (const c of clients) {
    const secret = randomBytes(32).toString('hex');
    secrets[c.name] = secret;
    writeFileSync(join(dir, `${c.name}.key`), `${secret}\n`, { mode: 0o600 });
    yaml.push(`  - name: ${c.name}`, `    secretFile: ${join(dir, `${c.name}.key`)}`);
    yaml.push(`    services: [${(c.services ?? ['*']).map((s) => JSON.stringify(s)).join(', ')}]`);
    if (c.environments) yaml.push(`    environments: [${c.environments.join(', ')}]`);
    if (c.rateLimit)
      yaml.push(`    rateLimit: { requests: ${c.rateLimit.requests}, perSeconds: ${c.rateLimit.perSeconds} }`);
  }
  const file = join(dir, 'clients.yaml');
  writeFileSync(file, yaml.join('\n') + '\n');
  return { file, secrets };
}

/** A validator that waits, before passing, until `<dir>/release` exists; writes `<dir>/started` first. */
export function gatedValidator(fx: Fixture): { path: string; dir: string } {
  const dir = join(fx.dir, 'gate');
  mkdirSync(dir, { recursive: true });
  const path = join(fx.dir, 'gated-validator.cjs');
  writeFileSync(
    path,
    `const fs = require('node:fs');
fs.writeFileSync(${JSON.stringify(join(dir, 'started'))}, '');
const wait = () => fs.existsSync(${JSON.stringify(join(dir, 'release'))}) ? require(${JSON.stringify(FAKE_VALIDATOR)}) : setTimeout(wait, 20);
wait();
`,
  );
  return { path, dir };
}

export interface TestServer {
  url: string;
  logs: LogEntry[];
  stop(): Promise<void>;
}

export async function startServer(
  repo: string,
  clientsFile: string,
  opts: { env?: Record<string, string>; maxBody?: string; queue?: string; batch?: string; pathPrefix?: string } = {},
): Promise<TestServer> {
  const logs: LogEntry[] = [];
  const env = { ...process.env, ...cliEnv(NOW), ...opts.env };
  const running = await serve(
    {
      root: repo,
      port: '0',
      bind: '127.0.0.1',
      clients: clientsFile,
      ...(opts.maxBody ? { maxBody: opts.maxBody } : {}),
      ...(opts.queue ? { queue: opts.queue } : {}),
      ...(opts.batch ? { batch: opts.batch } : {}),
      ...(opts.pathPrefix ? { pathPrefix: opts.pathPrefix } : {}),
    },
    env,
    (e) => logs.push(e),
  );
  return { url: running.url, logs, stop: () => running.server.shutdown() };
}

let counter = 0;
export const newId = () => `req-${process.pid}-${++counter}-${randomBytes(4).toString('hex')}`;

export interface Signed {
  client: string;
  secret: string;
  body: string | Buffer;
  timestamp?: number;
  id?: string;
  /** Replaces the computed signature header. */
  signature?: string;
  omit?: string[];
}

export function signedHeaders(s: Signed): Record<string, string> {
  const ts = String(s.timestamp ?? NOW_S);
  const id = s.id ?? newId();
  const body = typeof s.body === 'string' ? Buffer.from(s.body) : s.body;
  const h: Record<string, string> = {
    'content-type': 'application/json',
    'x-imagebot-client': s.client,
    'x-imagebot-timestamp': ts,
    'x-imagebot-request-id': id,
    'x-imagebot-signature': s.signature ?? sign(s.secret, ts, id, body),
  };
  for (const k of s.omit ?? []) delete h[k];
  return h;
}

export async function post(
  url: string,
  s: Signed,
  path = '/v1/bump',
): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: signedHeaders(s), body: s.body });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = { text };
  }
  return { status: res.status, json, headers: res.headers };
}
