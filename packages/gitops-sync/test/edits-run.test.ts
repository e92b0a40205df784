import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { at, cli, createFixture, git, gitRaw, read, type Fixture } from './helpers/fixture.js';
import { run } from './helpers/run.js';

// Byte-minimal edits, atomic multi-service commits, dry runs that change nothing, strict input
// checks, and refusals that leave work tree, index and history exactly as they were.

let fx: Fixture | undefined;
afterEach(() => fx?.cleanup());

const state = (repo: string) => ({
  head: git(repo, ['rev-parse', 'HEAD']),
  status: gitRaw(repo, ['status', '--porcelain=v1', '--untracked-files=all']),
  index: git(repo, ['ls-files', '-s']),
  objects: git(repo, ['count-objects', '-v']),
});

describe('edits', () => {
  it('a three-service promotion is one commit whose diff is exactly one line per changed value, quoting kept', async () => {
    fx = createFixture({
      a: { preprod: 'v2-stable', prod: 'v1-stable' },
      b: { preprod: 'v2-stable', prod: 'v1-stable' },
      c: { preprod: 'v2-stable', prod: 'v1-stable' },
    });
    fx.commit(
      {
        'environments/prod/values/b.yaml': read(fx.seed, 'environments/prod/values/b.yaml').replace(
          'tag: v1-stable',
          'tag: "v1-stable"',
        ),
        'environments/prod/values/c.yaml': read(fx.seed, 'environments/prod/values/c.yaml').replace(
          'tag: v1-stable',
          "tag: 'v1-stable'",
        ),
      },
      'quote styles',
      at(0),
    );
    const repo = fx.clone('rm');
    const base = git(repo, ['rev-parse', 'HEAD']);
    const r = await run(repo, ['promote', '--service', 'a,b,c', '--from', 'preprod', '--to', 'prod', '--json'], at(30));
    expect(r.code).toBe(0);
    expect(r.json.status).toBe('committed');
    expect(git(repo, ['rev-list', '--count', `${base}..HEAD`])).toBe('1');
    const changed = git(repo, ['diff', '--unified=0', base, 'HEAD'])
      .split('\n')
      .filter((l) => /^[-+](?![-+])/.test(l));
    expect(changed).toEqual([
      '-  tag: v1-stable   # moved by gitops-sync',
      '+  tag: v2-stable   # moved by gitops-sync',
      '-  tag: "v1-stable"   # moved by gitops-sync',
      '+  tag: "v2-stable"   # moved by gitops-sync',
      "-  tag: 'v1-stable'   # moved by gitops-sync",
      "+  tag: 'v2-stable'   # moved by gitops-sync",
    ]);
    expect(git(repo, ['log', '-1', '--format=%(trailers:key=Service,valueonly)'])).toBe('a\nb\nc');
    expect(git(repo, ['status', '--porcelain'])).toBe('');
  }, 60_000);

  it('--dry-run prints the exact diff and every gate, and writes nothing (not even objects)', async () => {
    fx = createFixture({ a: { dev: 'v2', preprod: 'v1' } });
    const repo = fx.clone('rm');
    const before = state(repo);
    const r = await run(repo, ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--dry-run'], at(5));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      [
        'diff:',
        '--- a/environments/preprod/values/a.yaml',
        '+++ b/environments/preprod/values/a.yaml',
        '@@ -1,6 +1,6 @@',
        " # a in preprod: the image and this environment's settings.",
        ' image:',
        '-  tag: v1   # moved by gitops-sync',
        '+  tag: v2   # moved by gitops-sync',
      ].join('\n'),
    );
    for (const g of [
      'order',
      'source',
      'digest',
      'soak',
      'tag-policy',
      'freeze',
      'hold',
      'compare-and-swap',
      'validation',
    ])
      expect(r.stdout).toMatch(new RegExp(`^  (pass|skip) +${g} `, 'm'));
    expect(r.stdout).toContain('commit message:\n  promote(preprod): a v2 from dev\n');
    expect(state(repo)).toEqual(before);
  }, 60_000);

  it('refuses to touch a dirty overlay and leaves work tree, index and history exactly as they were', async () => {
    fx = createFixture({ a: { dev: 'v2', preprod: 'v1' }, b: { dev: 'v2', preprod: 'v1' } });
    const repo = fx.clone('rm');
    writeFileSync(
      join(repo, 'environments/preprod/values/a.yaml'),
      read(repo, 'environments/preprod/values/a.yaml').replace('replicaCount: 1', 'replicaCount: 2'),
    );
    writeFileSync(join(repo, 'notes.txt'), 'staged\n');
    git(repo, ['add', 'notes.txt']);
    const before = state(repo);
    const r = await run(repo, ['promote', '--service', 'a,b', '--from', 'dev', '--to', 'preprod', '--json'], at(5));
    expect(r.code).toBe(1);
    expect(r.json.reason).toBe(
      'uncommitted changes in environments/preprod/values/a.yaml (M): commit or discard them first (gitops-sync never overwrites local edits)',
    );
    expect(state(repo)).toEqual(before);
    const ok = await run(repo, ['promote', '--service', 'b', '--from', 'dev', '--to', 'preprod'], at(5));
    expect(ok.code).toBe(0);
    expect(gitRaw(repo, ['status', '--porcelain', '-z']).split('\0')).toEqual([
      ' M environments/preprod/values/a.yaml',
      'A  notes.txt',
      '',
    ]);
    expect(git(repo, ['show', '--name-only', '--format=', 'HEAD'])).toBe('environments/preprod/values/b.yaml');
  }, 60_000);
});

describe('input is checked strictly before anything is touched', () => {
  const cases: Array<[string[], RegExp]> = [
    [
      ['promote', '--service', 'x$(id -u)', '--from', 'preprod', '--to', 'prod'],
      /--service "x\$\(id -u\)" is not a valid service name: expected a lowercase DNS-1123 label/,
    ],
    [['promote', '--service', 'a,,b', '--from', 'preprod', '--to', 'prod'], /has an empty entry/],
    [
      ['promote', '--service', 'a', '--from', 'Preprod', '--to', 'prod'],
      /--from "Preprod" is not a valid environment name/,
    ],
    [
      ['promote', '--service', 'a', '--from', 'preprod', '--to', 'qa'],
      /--to qa: no environment of that name \(expected one of dev, preprod, prod/,
    ],
    [
      ['promote', '--service', 'nope', '--from', 'dev', '--to', 'preprod'],
      /service nope has no overlay environments\/dev\/values\/nope\.yaml/,
    ],
    [
      ['promote', '--service', 'a', '--all', '--from', 'dev', '--to', 'preprod'],
      /either --service S\[,S2\.\.\.\] or --all \(not both\)/,
    ],
    [
      ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--break-glass'],
      /--break-glass needs --reason TEXT/,
    ],
    [
      ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--break-glass', '--reason', 'x'],
      /is not a usable reason/,
    ],
    [['bump', '--service', 'a', '--env', 'dev', '--tag', 'v1 2'], /--tag "v1 2" is not a valid image tag/],
    [['bump', '--service', 'a', '--env', 'dev', '--tag', '-v1'], /--tag "-v1" is not a valid image tag/],
    [
      ['bump', '--service', 'a', '--env', 'dev', '--tag', 'v1', '--digest', 'sha256:abc'],
      /--digest "sha256:abc" is not a valid image digest: expected sha256: followed by 64 lowercase hex digits/,
    ],
    [['rollback', '--service', 'a', '--env', 'dev', '--to', 'v1;rm'], /--to "v1;rm" is not a valid image tag/],
    [
      ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--remote', '--upload-pack=x'],
      /--remote "--upload-pack=x" is not a remote name/,
    ],
  ];
  it('exits 2 with what is wrong and what is expected; the repository is untouched', async () => {
    fx = createFixture({ a: { dev: 'v2', preprod: 'v1' } });
    const repo = fx.clone('rm');
    const before = state(repo);
    const remote = git(fx.remote, ['rev-parse', 'main']);
    for (const [args, message] of cases) {
      const r = await run(repo, args, at(5));
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    }
    const asJson = await run(
      repo,
      ['promote', '--service', 'x$(id -u)', '--from', 'preprod', '--to', 'prod', '--json'],
      at(5),
    );
    expect(asJson.json).toEqual({
      status: 'error',
      exitCode: 2,
      error:
        '--service "x$(id -u)" is not a valid service name: expected a lowercase DNS-1123 label (a-z, 0-9, "-"), at most 53 characters',
    });
    expect(state(repo)).toEqual(before);
    expect(git(fx.remote, ['rev-parse', 'main'])).toBe(remote);
  }, 120_000);

  it('through the real CLI: usage errors and a missing command are exit 2, an error in --json is one JSON document', () => {
    fx = createFixture({ a: { dev: 'v2', preprod: 'v1' } });
    const repo = fx.clone('rm');
    const before = state(repo);
    const none = cli(repo, [], at(5));
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^Usage: gitops-sync \[options\] \[command\]\n[\s\S]*\n  bump \[options\] /);
    const missing = cli(repo, ['bump', '--service', 'a', '--env', 'dev'], at(5));
    expect([missing.code, missing.stderr]).toEqual([2, "error: required option '--tag <tag>' not specified\n"]);
    const asJson = cli(
      repo,
      ['promote', '--service', 'x$(id -u)', '--from', 'preprod', '--to', 'prod', '--json'],
      at(5),
    );
    expect([asJson.code, asJson.stderr]).toEqual([2, '']);
    expect(asJson.json).toEqual({
      status: 'error',
      exitCode: 2,
      error:
        '--service "x$(id -u)" is not a valid service name: expected a lowercase DNS-1123 label (a-z, 0-9, "-"), at most 53 characters',
    });
    expect(cli(repo, ['--help'], at(5)).code).toBe(0);
    expect(state(repo)).toEqual(before);
  }, 120_000);

  it('the clock and the requester are injected and checked', async () => {
    fx = createFixture({ a: { dev: 'v2' } });
    const repo = fx.clone('rm');
    const badClock = await run(repo, ['status'], 'yesterday');
    expect(badClock.code).toBe(2);
    expect(badClock.stderr).toMatch(/GITOPS_SYNC_NOW "yesterday" is not a date: expected ISO 8601/);
    const r = await run(repo, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'v3'], at(1), {
      GITOPS_SYNC_REQUESTER: 'Webhook CI <ci@cern.example>',
    });
    expect(r.code).toBe(0);
    expect(git(repo, ['log', '-1', '--format=%an <%ae>|%cn|%cI|%(trailers:key=Requested-By,valueonly)'])).toBe(
      'Webhook CI <ci@cern.example>|rm|2026-11-01T09:00:00+00:00|Webhook CI <ci@cern.example>',
    );
  }, 60_000);
});
