import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { at, createFixture, DIGEST, ENVIRONMENTS, git, read, show, type Fixture } from './helpers/fixture.js';
import { run } from './helpers/run.js';

// Each gate refusing and allowing, through the command functions in-process, on real repositories.

let fx: Fixture | undefined;
afterEach(() => fx?.cleanup());

const promoteArgs = (service: string, from: string, to: string, ...flags: string[]) => [
  'promote',
  '--service',
  service,
  '--from',
  from,
  '--to',
  to,
  ...flags,
];

const gate = (r: { json: any }, id: string, service?: string) =>
  r.json.gates.find((g: any) => g.gate === id && (!service || g.service === service));

// The gate runs the validator named by GITOPS_SYNC_VALIDATOR: cliEnv points it at helpers/fake-validator.cjs
// (a stand-in with the validator's command-line contract), except where a test says otherwise.
const PASS_ALL = 'console.log(JSON.stringify({ summary: { resources: 1, errors: 0, warnings: 0 }, findings: [] }));\n';

describe('gates through the CLI', () => {
  it('tag policy: prod refuses an -rc tag unless a digest pins it', async () => {
    fx = createFixture({ a: { preprod: 'v1.3.0-rc1', prod: 'v1.2.0' }, b: { preprod: 'v2.0.0-rc2', prod: 'v1.9.0' } });
    fx.commit(
      {
        'environments/preprod/values/b.yaml': read(fx.seed, 'environments/preprod/values/b.yaml').replace(
          '# moved by gitops-sync',
          `# moved by gitops-sync\n  digest: ${DIGEST('b')}`,
        ),
      },
      'pin b',
      at(0),
    );
    const c = fx.clone('rm');
    const refused = await run(c, ['promote', '--service', 'a', '--from', 'preprod', '--to', 'prod', '--json'], at(48));
    expect(refused.code).toBe(1);
    expect(gate(refused, 'tag-policy').message).toBe(
      'tag "v1.3.0-rc1" does not match prod\'s tag policy (tags ending in -stable or a release SemVer such as v1.2.3) and pins no digest',
    );
    const pinned = await run(c, ['promote', '--service', 'b', '--from', 'preprod', '--to', 'prod', '--json'], at(48));
    expect(pinned.code).toBe(0);
    expect(gate(pinned, 'tag-policy')).toMatchObject({
      status: 'pass',
      message: "v2.0.0-rc2 is pinned by digest, which prod's policy accepts",
    });
  }, 180_000);

  it('digest: a tag re-pushed with a new digest does not go on; the recorded digest does', async () => {
    fx = createFixture({ a: { dev: 'v1', preprod: 'v0' } });
    const c = fx.clone('ci');
    expect(
      (await run(c, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'v2', '--digest', DIGEST('1')], at(1))).code,
    ).toBe(0);
    expect((await run(c, ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod'], at(3))).code).toBe(0);
    expect(
      (await run(c, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'v2', '--digest', DIGEST('2')], at(4))).code,
    ).toBe(0);
    const r = await run(
      c,
      promoteArgs('a', 'dev', 'preprod', '--json', '--break-glass', '--reason', 'try to sneak it in'),
      at(10),
    );
    expect(r.code).toBe(1);
    expect(gate(r, 'digest').message).toMatch(
      new RegExp(
        `tag v2 was recorded with digest ${DIGEST('1')} in (dev|preprod) .* the source now has ${DIGEST('2')}: the tag was re-pushed`,
      ),
    );
    expect(show(c, 'HEAD', 'environments/preprod/values/a.yaml')).toContain(DIGEST('1'));
  }, 180_000);

  it('freeze: the switch and a window refuse; --break-glass --reason overrides and is recorded', async () => {
    const frozen = {
      ...ENVIRONMENTS,
      preprod: ENVIRONMENTS.preprod!.replace('enabled: false', 'enabled: true\n    reason: LHC restart'),
    };
    fx = createFixture(
      { a: { dev: 'v2', preprod: 'v1', prod: 'v0-stable' }, b: { preprod: 'v5-stable', prod: 'v4-stable' } },
      { environments: frozen },
    );
    const c = fx.clone('rm');
    const r = await run(c, ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--json'], at(5));
    expect(r.code).toBe(1);
    expect(gate(r, 'freeze').message).toBe('preprod is frozen (LHC restart)');
    const window = await run(
      c,
      ['promote', '--service', 'b', '--from', 'preprod', '--to', 'prod', '--json'],
      '2026-12-24T10:00:00Z',
    );
    expect(gate(window, 'freeze').message).toBe(
      'prod is in the freeze window 2026-12-21T00:00:00Z – 2027-01-04T00:00:00Z (CERN annual closure)',
    );
    expect(
      (await run(c, ['promote', '--service', 'b', '--from', 'preprod', '--to', 'prod'], '2027-01-04T00:00:00Z')).code,
    ).toBe(0);
    const glass = await run(
      c,
      promoteArgs('a', 'dev', 'preprod', '--break-glass', '--reason', 'INC-4711 data loss fix', '--json'),
      at(5),
    );
    expect(glass.code).toBe(0);
    expect(gate(glass, 'freeze')).toMatchObject({
      status: 'overridden',
      message: 'preprod is frozen (LHC restart) — overridden with --break-glass: INC-4711 data loss fix',
    });
    expect(git(c, ['log', '-1', '--format=%(trailers:key=Gate-Override,valueonly)'])).toBe(
      'freeze: INC-4711 data loss fix',
    );
    const h = await run(c, ['history', '--service', 'a', '--env', 'preprod', '--json'], at(6));
    expect(h.json.events[0]).toMatchObject({
      action: 'promote',
      gateOverrides: [{ gate: 'freeze', reason: 'INC-4711 data loss fix' }],
      by: 'rm <rm@cern.example>',
    });
  }, 180_000);

  it('source and compare-and-swap: --tag and --expect-tag state what must be there', async () => {
    fx = createFixture({ a: { dev: 'v2', preprod: 'v1' } });
    const c = fx.clone('rm');
    const wrongSource = await run(
      c,
      ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--tag', 'v3', '--json'],
      at(5),
    );
    expect(gate(wrongSource, 'source')).toMatchObject({
      status: 'fail',
      message: 'dev runs v2 now, expected v3: the source changed, nothing was promoted',
    });
    const wrongTarget = await run(
      c,
      ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--expect-tag', 'v0', '--json'],
      at(5),
    );
    expect(gate(wrongTarget, 'compare-and-swap').message).toBe(
      'preprod runs v1 now, expected v0: it changed since this change was planned; refusing instead of overwriting',
    );
    expect(
      (
        await run(
          c,
          ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--tag', 'v2', '--expect-tag', 'v1'],
          at(5),
        )
      ).code,
    ).toBe(0);
    const again = await run(c, ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--json'], at(6));
    expect(again.json).toMatchObject({ status: 'up-to-date', exitCode: 0, commit: null, upToDate: ['a'] });
  }, 180_000);

  it('validation: it runs on the tree to be committed and refuses findings; a validator inside the repository is not used', async () => {
    fx = createFixture({ a: { dev: 'v1' } });
    // A repository shipping its own (lenient) validator changes nothing: the gate runs the one installed with gitops-sync.
    fx.commit({ 'packages/validator/bin/validator.js': PASS_ALL }, 'a validator that passes everything', at(0));
    const c = fx.clone('ci');
    const ok = await run(c, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'v2', '--json'], at(1));
    expect(ok.code).toBe(0);
    expect(gate(ok, 'validation', 'a')).toMatchObject({ status: 'pass', message: 'validator: a in dev is valid' });
    const head = git(c, ['rev-parse', 'HEAD']);
    const bad = await run(c, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'broken', '--json'], at(2));
    expect(bad.code).toBe(1);
    expect(gate(bad, 'validation', 'a').message).toBe(
      'validator findings for a in dev: environments/dev/values/a.yaml:3: image tag broken does not exist in the registry',
    );
    const crash = await run(c, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'crash', '--json'], at(2));
    expect(gate(crash, 'validation', 'a').message).toBe(
      'the validator failed to run for a in dev (exit 3): validator: internal error',
    );
    expect(git(c, ['rev-parse', 'HEAD'])).toBe(head);
    expect(git(c, ['status', '--porcelain'])).toBe('');
  }, 180_000);

  it('validation required but the validator cannot run: the gate fails (exit 1), says how to fix it, nothing is committed', async () => {
    fx = createFixture({ a: { dev: 'v1' } });
    const c = fx.clone('ci');
    const head = git(c, ['rev-parse', 'HEAD']);
    const r = await run(c, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'v2', '--json'], at(1), {
      GITOPS_SYNC_VALIDATOR: 'missing/validator.js',
    });
    expect(r.code).toBe(1);
    expect(gate(r, 'validation')).toEqual({
      gate: 'validation',
      service: null,
      status: 'fail',
      message: `dev requires validation (promotion.requireValidation) but the validator cannot run: GITOPS_SYNC_VALIDATOR=missing/validator.js: ${join(c, 'missing/validator.js')} does not exist; install gitops-sync with its dependencies (\`npm ci\` in its repository installs the validator workspace package next to it), or set GITOPS_SYNC_VALIDATOR to the path of packages/validator/bin/validator.js; nothing was committed`,
    });
    expect(git(c, ['rev-parse', 'HEAD'])).toBe(head);
    expect(git(c, ['status', '--porcelain'])).toBe('');
  }, 180_000);

  it('without GITOPS_SYNC_VALIDATOR the installed validator (packages/validator) runs, even though --root has none', async () => {
    fx = createFixture({ a: { dev: 'v1' } });
    const c = fx.clone('ci');
    const r = await run(c, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'v2', '--json'], at(1), {
      GITOPS_SYNC_VALIDATOR: '',
    });
    // The real validator reads this fixture's minimal catalog and refuses it: proof that it ran.
    expect(r.code).toBe(1);
    expect(gate(r, 'validation', 'a').message).toMatch(/^validator findings for a in dev: catalog\/cluster\.yaml:1: /);
  }, 120_000);

  it('an environment catalog/cluster.yaml no longer declares is refused: its folder is a leftover (exit 2, nothing committed)', async () => {
    fx = createFixture({ a: { dev: 'v1', preprod: 'v1', prod: 'v0' } });
    fx.commit(
      { 'catalog/cluster.yaml': 'name: cmsweb\nenvironments:\n  - name: dev\n  - name: preprod\n' },
      'remove prod from the catalog',
      at(0),
    );
    const c = fx.clone('rm');
    const head = git(c, ['rev-parse', 'HEAD']);
    const r = await run(c, ['promote', '--service', 'a', '--from', 'preprod', '--to', 'prod'], at(48));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--to prod: catalog/cluster.yaml does not declare environment prod, so environments/prod/ is a leftover and nothing is changed there (expected one of dev, preprod; add prod to environments: in catalog/cluster.yaml, or delete environments/prod/)',
    );
    expect(git(c, ['rev-parse', 'HEAD'])).toBe(head);
  }, 180_000);

  it('validation can be switched off per environment and says so', async () => {
    fx = createFixture(
      { a: { dev: 'v1' } },
      {
        environments: {
          ...ENVIRONMENTS,
          dev: ENVIRONMENTS.dev!.replace('requireValidation: true', 'requireValidation: false'),
        },
      },
    );
    const c = fx.clone('ci');
    writeFileSync(join(c, 'unrelated.txt'), 'local scratch\n');
    const r = await run(c, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'v2', '--json'], at(1));
    expect(gate(r, 'validation')).toMatchObject({
      status: 'skipped',
      message: 'skipped (dev does not set promotion.requireValidation)',
    });
    expect(git(c, ['status', '--porcelain'])).toBe('?? unrelated.txt');
  }, 180_000);
});
