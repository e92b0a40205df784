import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { at, createFixture, DIGEST, ENVIRONMENTS, git, read, show, type Fixture } from './helpers/fixture.js';
import { run } from './helpers/run.js';

// Each gate refusing and allowing, through the command functions in-process, on real repositories.

let fx: Fixture | undefined;
afterEach(() => fx?.cleanup());

const gate = (r: { json: any }, id: string, service?: string) => r.json.gates.find((g: any) => g.gate === id && (!service || g.service === service));

// A stand-in for packages/validator with its command-line contract: it reads the overlay it is asked
// about from --root and reports a finding for tags containing "broken"; "crash" makes it exit 3.
// Speaks the validator's documented interface: repeated --service, JSON findings with severity and service.
const FAKE_VALIDATOR = `const fs = require('fs');
const a = process.argv.slice(2);
const arg = (k) => a[a.indexOf(k) + 1];
if (arg('--output') !== 'json') process.exit(2);
const services = a.filter((x, i) => a[i - 1] === '--service');
const findings = [];
for (const s of services) {
  const rel = 'environments/' + arg('--env') + '/values/' + s + '.yaml';
  const text = fs.readFileSync(arg('--root') + '/' + rel, 'utf8');
  if (text.includes('crash')) { console.error('validator: internal error'); process.exit(3); }
  if (text.includes('broken')) findings.push({ check: 'image-pull', severity: 'error', service: s, file: rel, line: 3, message: 'image tag broken does not exist in the registry' });
}
console.log(JSON.stringify({ summary: { resources: 1, errors: findings.length, warnings: 0 }, findings }));
process.exit(findings.length ? 1 : 0);
`;

describe('gates through the CLI', () => {
  it('tag policy: prod refuses an -rc tag unless a digest pins it', async () => {
    fx = createFixture({ a: { preprod: 'v1.3.0-rc1', prod: 'v1.2.0' }, b: { preprod: 'v2.0.0-rc2', prod: 'v1.9.0' } });
    fx.commit({ 'environments/preprod/values/b.yaml': read(fx.seed, 'environments/preprod/values/b.yaml').replace('# moved by gitops-sync', `# moved by gitops-sync\n  digest: ${DIGEST('b')}`) }, 'pin b', at(0));
    const c = fx.clone('rm');
    const refused = await run(c, ['promote', '--service', 'a', '--from', 'preprod', '--to', 'prod', '--json'], at(48));
    expect(refused.code).toBe(1);
    expect(gate(refused, 'tag-policy').message).toBe('tag "v1.3.0-rc1" does not match prod\'s tag policy (tags ending in -stable or a release SemVer such as v1.2.3) and pins no digest');
    const pinned = await run(c, ['promote', '--service', 'b', '--from', 'preprod', '--to', 'prod', '--json'], at(48));
    expect(pinned.code).toBe(0);
    expect(gate(pinned, 'tag-policy')).toMatchObject({ status: 'pass', message: 'v2.0.0-rc2 is pinned by digest, which prod\'s policy accepts' });
  }, 60_000);

  it('digest: a tag re-pushed with a new digest does not go on; the recorded digest does', async () => {
    fx = createFixture({ a: { dev: 'v1', preprod: 'v0' } });
    const c = fx.clone('ci');
    expect((await run(c, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'v2', '--digest', DIGEST('1')], at(1))).code).toBe(0);
    expect((await run(c, ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod'], at(3))).code).toBe(0);
    expect((await run(c, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'v2', '--digest', DIGEST('2')], at(4))).code).toBe(0);
    const r = await run(c, ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--json', '--break-glass', '--reason', 'try to sneak it in'], at(10));
    expect(r.code).toBe(1);
    expect(gate(r, 'digest').message).toMatch(new RegExp(`tag v2 was recorded with digest ${DIGEST('1')} in (dev|preprod) .* the source now has ${DIGEST('2')}: the tag was re-pushed`));
    expect(show(c, 'HEAD', 'environments/preprod/values/a.yaml')).toContain(DIGEST('1'));
  }, 60_000);

  it('freeze: the switch and a window refuse; --break-glass --reason overrides and is recorded', async () => {
    const frozen = { ...ENVIRONMENTS, preprod: ENVIRONMENTS.preprod!.replace('enabled: false', 'enabled: true\n    reason: LHC restart') };
    fx = createFixture({ a: { dev: 'v2', preprod: 'v1', prod: 'v0-stable' }, b: { preprod: 'v5-stable', prod: 'v4-stable' } }, { environments: frozen });
    const c = fx.clone('rm');
    const r = await run(c, ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--json'], at(5));
    expect(r.code).toBe(1);
    expect(gate(r, 'freeze').message).toBe('preprod is frozen (LHC restart)');
    const window = await run(c, ['promote', '--service', 'b', '--from', 'preprod', '--to', 'prod', '--json'], '2026-12-24T10:00:00Z');
    expect(gate(window, 'freeze').message).toBe('prod is in the freeze window 2026-12-21T00:00:00Z – 2027-01-04T00:00:00Z (CERN annual closure)');
    expect((await run(c, ['promote', '--service', 'b', '--from', 'preprod', '--to', 'prod'], '2027-01-04T00:00:00Z')).code).toBe(0);
    const glass = await run(c, ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--break-glass', '--reason', 'INC-4711 data loss fix', '--json'], at(5));
    expect(glass.code).toBe(0);
    expect(gate(glass, 'freeze')).toMatchObject({ status: 'overridden', message: 'preprod is frozen (LHC restart) — overridden with --break-glass: INC-4711 data loss fix' });
    expect(git(c, ['log', '-1', '--format=%(trailers:key=Gate-Override,valueonly)'])).toBe('freeze: INC-4711 data loss fix');
    const h = await run(c, ['history', '--service', 'a', '--env', 'preprod', '--json'], at(6));
    expect(h.json.events[0]).toMatchObject({ action: 'promote', gateOverrides: [{ gate: 'freeze', reason: 'INC-4711 data loss fix' }], by: 'rm <rm@cern.example>' });
  }, 60_000);

  it('source and compare-and-swap: --tag and --expect-tag state what must be there', async () => {
    fx = createFixture({ a: { dev: 'v2', preprod: 'v1' } });
    const c = fx.clone('rm');
    const wrongSource = await run(c, ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--tag', 'v3', '--json'], at(5));
    expect(gate(wrongSource, 'source')).toMatchObject({ status: 'fail', message: 'dev runs v2 now, expected v3: the source changed, nothing was promoted' });
    const wrongTarget = await run(c, ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--expect-tag', 'v0', '--json'], at(5));
    expect(gate(wrongTarget, 'compare-and-swap').message).toBe('preprod runs v1 now, expected v0: it changed since this change was planned; refusing instead of overwriting');
    expect((await run(c, ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--tag', 'v2', '--expect-tag', 'v1'], at(5))).code).toBe(0);
    const again = await run(c, ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--json'], at(6));
    expect(again.json).toMatchObject({ status: 'up-to-date', exitCode: 0, commit: null, upToDate: ['a'] });
  }, 60_000);

  it('validation: not installed is visible; installed, it runs on the tree to be committed and refuses findings', async () => {
    fx = createFixture({ a: { dev: 'v1' } });
    const c = fx.clone('ci');
    const skipped = await run(c, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'v2', '--dry-run'], at(1));
    expect(skipped.stdout).toContain('skip       validation        skipped (validator not installed): packages/validator/bin/validator.js is not in the repository');
    fx.commit({ 'packages/validator/bin/validator.js': FAKE_VALIDATOR }, 'validator', at(0));
    git(c, ['pull', '-q', '--ff-only']);
    const ok = await run(c, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'v2', '--json'], at(1));
    expect(ok.code).toBe(0);
    expect(gate(ok, 'validation', 'a')).toMatchObject({ status: 'pass', message: 'validator: a in dev is valid' });
    const head = git(c, ['rev-parse', 'HEAD']);
    const bad = await run(c, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'broken', '--json'], at(2));
    expect(bad.code).toBe(1);
    expect(gate(bad, 'validation', 'a').message).toBe('validator findings for a in dev: environments/dev/values/a.yaml:3: image tag broken does not exist in the registry');
    const crash = await run(c, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'crash', '--json'], at(2));
    expect(gate(crash, 'validation', 'a').message).toBe('the validator failed to run for a in dev (exit 3): validator: internal error');
    expect(git(c, ['rev-parse', 'HEAD'])).toBe(head);
    expect(git(c, ['status', '--porcelain'])).toBe('');
  }, 60_000);

  it('validation can be switched off per environment and says so', async () => {
    fx = createFixture({ a: { dev: 'v1' } }, { environments: { ...ENVIRONMENTS, dev: ENVIRONMENTS.dev!.replace('requireValidation: true', 'requireValidation: false') } });
    const c = fx.clone('ci');
    writeFileSync(join(c, 'unrelated.txt'), 'local scratch\n');
    const r = await run(c, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'v2', '--json'], at(1));
    expect(gate(r, 'validation')).toMatchObject({ status: 'skipped', message: 'skipped (dev does not set promotion.requireValidation)' });
    expect(git(c, ['status', '--porcelain'])).toBe('?? unrelated.txt');
  }, 60_000);
});
