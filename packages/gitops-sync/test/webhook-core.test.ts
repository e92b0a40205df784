import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSecrets } from '../src/commands/serve.js';
import { takeToken } from '../src/core/rate-limit.js';
import { authenticate, sign } from '../src/core/webhook-auth.js';
import { parseClientsFile, permissionProblem } from '../src/core/webhook-clients.js';

// The pure parts of the webhook: the clients file (strict, file:line), permissions, signatures, the rate limit.

const errors = (text: string) =>
  parseClientsFile('clients.yaml', text).findings.map((f) => `${f.line}:${f.column} ${f.message}`);

describe('the clients file', () => {
  it('a valid file: defaults for environments (the testbed), rate and requester', () => {
    const r = parseClientsFile(
      'clients.yaml',
      'clients:\n  - name: dbs-ci\n    secretEnv: IMAGEBOT_DBS\n    services: [dbs-global-r]\n  - name: all\n    secretFile: /etc/imagebot/all.key\n    services: ["*"]\n    environments: [dev, preprod]\n    rateLimit: { requests: 5, perSeconds: 10 }\n    requester: "CI <ci@cern.ch>"\n',
    );
    expect(r.findings).toEqual([]);
    expect(r.clients).toEqual([
      {
        name: 'dbs-ci',
        secret: { env: 'IMAGEBOT_DBS' },
        secretAt: 'clients.yaml:3:5',
        services: ['dbs-global-r'],
        rate: { requests: 30, perSeconds: 60 },
        requester: 'dbs-ci (imagebot) <dbs-ci@imagebot.invalid>',
      },
      {
        name: 'all',
        secret: { file: '/etc/imagebot/all.key' },
        secretAt: 'clients.yaml:6:5',
        services: '*',
        environments: ['dev', 'preprod'],
        rate: { requests: 5, perSeconds: 10 },
        requester: 'CI <ci@cern.ch>',
      },
    ]);
    expect(permissionProblem(r.clients[0]!, 'dbs-global-r', 'dev', 'dev')).toBeUndefined();
    expect(permissionProblem(r.clients[0]!, 'dbs-global-r', 'preprod', 'dev')).toMatch(
      /may not change environment preprod/,
    );
    expect(permissionProblem(r.clients[1]!, 'anything', 'preprod', 'dev')).toBeUndefined();
  });

  it.each([
    [
      'a secret written in the file',
      'clients:\n  - name: a\n    secret: hunter2hunter2\n    services: [x]\n',
      /^3:5 unknown key "secret" in clients\[0\]/,
    ],
    [
      'no secret source',
      'clients:\n  - name: a\n    services: [x]\n',
      /^2:5 .*expected exactly one of secretFile or secretEnv/,
    ],
    [
      'both secret sources',
      'clients:\n  - name: a\n    secretEnv: A\n    secretFile: /a\n    services: [x]\n',
      /exactly one of secretFile or secretEnv/,
    ],
    [
      'a relative secret file',
      'clients:\n  - name: a\n    secretFile: keys/a\n    services: [x]\n',
      /^3:5 clients\[0\]\.secretFile: expected an absolute path/,
    ],
    [
      'a path-like service',
      'clients:\n  - name: a\n    secretEnv: A\n    services: [../x]\n',
      /^4:16 .*a service name/,
    ],
    [
      'a duplicate client',
      'clients:\n  - name: a\n    secretEnv: A\n    services: [x]\n  - name: a\n    secretEnv: B\n    services: [x]\n',
      /^5:5 client name "a" is already used by clients\[0\]/,
    ],
    [
      'a duplicate key',
      'clients:\n  - name: a\n    name: b\n    secretEnv: A\n    services: [x]\n',
      /^3:5 duplicate key "name"/,
    ],
    ['no clients', 'clients: []\n', /expected at least 1 item/],
    [
      'a bad rate',
      'clients:\n  - name: a\n    secretEnv: A\n    services: [x]\n    rateLimit: { requests: 0, perSeconds: 1 }\n',
      /^5:18 clients\[0\]\.rateLimit\.requests: expected a value >= 1, got number 0/,
    ],
  ])('%s is refused with file:line', (_name, text, message) => {
    expect(errors(text).join('\n')).toMatch(message);
    expect(parseClientsFile('clients.yaml', text).clients).toEqual([]);
  });

  it('secrets: read from a file outside the repository or from the environment, at least 32 bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gitops-sync-secrets-'));
    try {
      const repo = join(dir, 'repo');
      mkdirSync(repo);
      writeFileSync(join(dir, 'good.key'), `${'k'.repeat(32)}\n`);
      writeFileSync(join(dir, 'short.key'), 'short\n');
      const client = (secret: object) =>
        parseClientsFile(
          'c.yaml',
          `clients:\n  - name: a\n    ${Object.entries(secret)[0]!.join(': ')}\n    services: [x]\n`,
        ).clients;
      expect(
        readSecrets(client({ secretFile: join(dir, 'good.key') }), {}, repo)
          .get('a')!
          .secret.toString(),
      ).toBe('k'.repeat(32));
      expect(
        readSecrets(client({ secretEnv: 'S' }), { S: 'e'.repeat(40) }, repo)
          .get('a')!
          .secret.toString(),
      ).toBe('e'.repeat(40));
      expect(() => readSecrets(client({ secretFile: join(dir, 'short.key') }), {}, repo)).toThrow(
        /^c\.yaml:3:5: the secret of client a has 5 bytes: expected at least 32/,
      );
      expect(() => readSecrets(client({ secretFile: join(dir, 'none.key') }), {}, repo)).toThrow(
        /cannot read the secret of client a .*\(ENOENT\)/,
      );
      expect(() => readSecrets(client({ secretEnv: 'S' }), {}, repo)).toThrow(
        /the environment variable S .* is not set/,
      );
      expect(() => readSecrets(client({ secretFile: join(dir, 'good.key') }), {}, dir)).toThrow(
        /is inside the repository/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('signatures', () => {
  const secret = Buffer.from('s'.repeat(32));
  const lookup = (name: string) => (name === 'ci' ? { client: name, secret } : undefined);
  const body = Buffer.from('{"service":"a","tag":"v1"}');
  const headers = (over: Record<string, string> = {}) => ({
    'x-imagebot-client': 'ci',
    'x-imagebot-timestamp': '1000',
    'x-imagebot-request-id': 'abcdefgh',
    'x-imagebot-signature': sign(secret, '1000', 'abcdefgh', body),
    ...over,
  });
  it('verifies HMAC-SHA256 over timestamp, id and raw body', () => {
    expect(authenticate(headers(), body, 1000, lookup)).toMatchObject({
      ok: true,
      clientName: 'ci',
      requestId: 'abcdefgh',
    });
    expect(authenticate(headers(), body, 1300, lookup).ok).toBe(true);
    expect(authenticate(headers(), body, 1301, lookup)).toMatchObject({ ok: false, error: /301 s in the past/ });
    // Each signed part matters: another id, timestamp or body byte breaks the signature.
    expect(authenticate(headers({ 'x-imagebot-request-id': 'abcdefgi' }), body, 1000, lookup).ok).toBe(false);
    expect(authenticate(headers({ 'x-imagebot-timestamp': '1001' }), body, 1000, lookup).ok).toBe(false);
    expect(authenticate(headers(), Buffer.from('{"service":"a","tag":"v2"}'), 1000, lookup).ok).toBe(false);
    expect(authenticate(headers({ 'x-imagebot-request-id': 'short' }), body, 1000, lookup)).toMatchObject({
      error: /is not an id/,
    });
  });
});

describe('rate limit (token bucket)', () => {
  it('takes a token per request, refills over time, says when to retry', () => {
    const rate = { requests: 2, perSeconds: 60 };
    let b = takeToken(undefined, rate, 0);
    expect(b.allowed).toBe(true);
    b = takeToken(b.bucket, rate, 0);
    expect(b.allowed).toBe(true);
    b = takeToken(b.bucket, rate, 1000);
    expect(b).toMatchObject({ allowed: false, retryAfterSeconds: 29 });
    b = takeToken(b.bucket, rate, 30_000);
    expect(b.allowed).toBe(true);
  });
});
