import { describe, expect, it } from 'vitest';
import { environmentFile } from '@cmsweb/catalog';
import { parse } from 'yaml';
import type { PlanContext } from '../src/core/change-plan.js';
import { unifiedDiff } from '../src/core/diff.js';
import { parseOverlay } from '../src/core/overlay.js';
import { planPromotion, planBump } from '../src/core/promotion-plan.js';
import { planRollback } from '../src/core/rollback-plan.js';
import type { EnvironmentState, OverlayVersion, Snapshot } from '../src/core/model.js';
import { formatCommitMessage, parseCommitTrailers } from '../src/core/trailers.js';
import { UsageError } from '@cmsweb/toolkit';
import { ENVIRONMENTS, overlay, DIGEST } from './helpers/fixture.js';

function snapshot(tags: Record<string, Record<string, string>>): Snapshot {
  const envs = new Map<string, EnvironmentState>();
  for (const name of ['dev', 'preprod', 'prod']) {
    envs.set(name, {
      name,
      config: environmentFile.parse(parse(ENVIRONMENTS[name]!)),
      overlays: new Map(),
      holds: new Map(),
      holdsPath: `environments/${name}/holds.yaml`,
      holdsText: null,
    });
  }
  for (const [service, byEnv] of Object.entries(tags)) {
    for (const [e, tag] of Object.entries(byEnv)) {
      const path = `environments/${e}/values/${service}.yaml`;
      envs.get(e)!.overlays.set(service, parseOverlay(e, service, path, overlay(service, e, tag)));
    }
  }
  return { commit: 'f'.repeat(40), order: ['dev', 'preprod', 'prod'], envs };
}

const since = (env: string, service: string, tag: string, date: string): OverlayVersion => ({
  commit: 'a'.repeat(40),
  parents: [],
  date,
  author: 'x <x@y>',
  subject: 'initial',
  trailers: '',
  env,
  service,
  path: `environments/${env}/values/${service}.yaml`,
  image: { tag, digest: null },
  kind: 'overlay',
});

const ctx = (s: Snapshot, versions: OverlayVersion[], now = '2026-11-05T00:00:00Z'): PlanContext => ({
  snapshot: s,
  versions,
  now: new Date(now),
  requester: 'Rel Man <rm@cern.example>',
  operationId: 'op-1',
});

describe('planPromotion', () => {
  const s = snapshot({
    a: { preprod: 'v2-stable', prod: 'v1-stable' },
    b: { preprod: 'v5-stable', prod: 'v4-stable' },
    c: { preprod: 'v9-stable', prod: 'v9-stable' },
  });
  const old = '2026-11-01T00:00:00Z';

  it('several services: one commit, one file each, trailer block per service', () => {
    const plan = planPromotion(
      { services: 'all', except: [], from: 'preprod', to: 'prod' },
      ctx(s, [since('preprod', 'a', 'v2-stable', old), since('preprod', 'b', 'v5-stable', old)]),
    );
    expect(plan.refused).toBe(false);
    expect(plan.upToDate).toEqual(['c']);
    expect(plan.files.map((f) => f.path)).toEqual([
      'environments/prod/values/a.yaml',
      'environments/prod/values/b.yaml',
    ]);
    expect(plan.message.split('\n')[0]).toBe('promote(prod): 2 services from preprod');
    const t = parseCommitTrailers(plan.message);
    expect(t.services).toEqual([
      { service: 'a', environment: 'prod', tag: 'v2-stable', promotedFrom: 'preprod' },
      { service: 'b', environment: 'prod', tag: 'v5-stable', promotedFrom: 'preprod' },
    ]);
    expect(t).toMatchObject({ promotionId: 'op-1', requestedBy: 'Rel Man <rm@cern.example>', gateOverrides: [] });
  });

  it('is all or nothing: one service failing a gate refuses the whole promotion', () => {
    const plan = planPromotion(
      { services: ['a', 'b'], except: [], from: 'preprod', to: 'prod' },
      ctx(s, [since('preprod', 'a', 'v2-stable', old), since('preprod', 'b', 'v5-stable', '2026-11-04T12:00:00Z')]),
    );
    expect(plan.refused).toBe(true);
    expect(plan.gates.filter((g) => g.status === 'fail').map((g) => `${g.service}:${g.gate}`)).toEqual(['b:soak']);
  });

  it('--except leaves services out; an unknown service is bad input', () => {
    const plan = planPromotion(
      { services: 'all', except: ['b'], from: 'preprod', to: 'prod' },
      ctx(s, [since('preprod', 'a', 'v2-stable', old)]),
    );
    expect(plan.changes.map((c) => c.service)).toEqual(['a']);
    expect(() => planPromotion({ services: ['nope'], except: [], from: 'preprod', to: 'prod' }, ctx(s, []))).toThrow(
      UsageError,
    );
    expect(() => planPromotion({ services: ['a'], except: [], from: 'preprod', to: 'qa' }, ctx(s, []))).toThrow(
      /--to qa: no environment of that name/,
    );
  });

  it('break-glass records one Gate-Override per overridden gate', () => {
    const plan = planPromotion(
      { services: ['b'], except: [], from: 'preprod', to: 'prod', breakGlass: 'hotfix INC-42' },
      ctx(s, [since('preprod', 'b', 'v5-stable', '2026-11-04T23:00:00Z')]),
    );
    expect(plan.refused).toBe(false);
    expect(parseCommitTrailers(plan.message).gateOverrides).toEqual([{ gate: 'soak', reason: 'hotfix INC-42' }]);
  });

  it('a pinned retry refuses when the target moved (compare-and-swap)', () => {
    const first = planPromotion(
      { services: ['a'], except: [], from: 'preprod', to: 'prod' },
      ctx(s, [since('preprod', 'a', 'v2-stable', old)]),
    );
    const moved = snapshot({ a: { preprod: 'v2-stable', prod: 'v3-stable' } });
    const retry = planPromotion(
      { services: ['a'], except: [], from: 'preprod', to: 'prod' },
      { ...ctx(moved, [since('preprod', 'a', 'v2-stable', old)]), pins: first.pins },
    );
    expect(retry.refused).toBe(true);
    expect(retry.gates.find((g) => g.gate === 'compare-and-swap')!.message).toMatch(
      /prod runs v3-stable now, expected v1-stable/,
    );
  });
});

describe('planBump and planRollback', () => {
  it('a bump that drops a pinned digest removes the digest line', () => {
    const s = snapshot({ a: { dev: 'v1' } });
    const o = s.envs.get('dev')!.overlays.get('a')!;
    s.envs
      .get('dev')!
      .overlays.set(
        'a',
        parseOverlay(
          'dev',
          'a',
          o.path,
          o.text.replace('# moved by gitops-sync', `# moved by gitops-sync\n  digest: ${DIGEST('a')}`),
        ),
      );
    const plan = planBump({ service: 'a', env: 'dev', tag: 'v2', digest: null }, ctx(s, []));
    expect(plan.refused).toBe(false);
    expect(plan.files[0]!.after).toBe(overlay('a', 'dev', 'v2'));
  });

  it('rollback finds the previous tag and refuses a tag the environment never ran', () => {
    const s = snapshot({ a: { prod: 'v3-stable' } });
    const versions = [
      since('prod', 'a', 'v3-stable', '2026-11-03T00:00:00Z'),
      since('prod', 'a', 'v2-stable', '2026-11-02T00:00:00Z'),
      since('prod', 'a', 'v1-stable', '2026-11-01T00:00:00Z'),
    ];
    const back = planRollback({ service: 'a', env: 'prod' }, ctx(s, versions));
    expect(back.changes[0]!.to.tag).toBe('v2-stable');
    expect(back.files.map((f) => f.path)).toEqual(['environments/prod/values/a.yaml', 'environments/prod/holds.yaml']);
    expect(parseCommitTrailers(back.message).services[0]).toMatchObject({
      service: 'a',
      environment: 'prod',
      tag: 'v2-stable',
      hold: 'v3-stable',
    });
    expect(planRollback({ service: 'a', env: 'prod', to: 'v1-stable' }, ctx(s, versions)).changes[0]!.to.tag).toBe(
      'v1-stable',
    );
    const never = planRollback({ service: 'a', env: 'prod', to: 'v7-stable' }, ctx(s, versions));
    expect(never.refused).toBe(true);
    expect(never.gates[0]!.message).toMatch(
      /prod never ran v7-stable according to git history \(it ran: v3-stable, v2-stable, v1-stable\)/,
    );
  });
});

describe('trailers and diffs', () => {
  it('round-trips a commit message through the trailer parser', () => {
    const msg = formatCommitMessage('promote(prod): x v1 from preprod', [], {
      services: [{ service: 'x', environment: 'prod', tag: 'v1', digest: DIGEST('e'), promotedFrom: 'preprod' }],
      promotionId: 'id',
      requestedBy: 'A <a@b>',
      gateOverrides: [{ gate: 'freeze', reason: 'why: because' }],
    });
    expect(msg).toContain(
      `\n\nService: x\nEnvironment: prod\nTag: v1\nDigest: ${DIGEST('e')}\nPromoted-From: preprod\nPromotion-Id: id\nRequested-By: A <a@b>\nGate-Override: freeze: why: because\n`,
    );
    expect(parseCommitTrailers(msg)).toEqual({
      services: [{ service: 'x', environment: 'prod', tag: 'v1', digest: DIGEST('e'), promotedFrom: 'preprod' }],
      promotionId: 'id',
      requestedBy: 'A <a@b>',
      gateOverrides: [{ gate: 'freeze', reason: 'why: because' }],
    });
  });

  it('prints a one-line change as git does', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\n';
    expect(unifiedDiff('x.yaml', before, before.replace('e\n', 'E\n'))).toBe(
      '--- a/x.yaml\n+++ b/x.yaml\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n',
    );
    expect(unifiedDiff('x.yaml', null, 'a\n')).toBe('--- /dev/null\n+++ b/x.yaml\n@@ -0,0 +1 @@\n+a\n');
    expect(unifiedDiff('x.yaml', 'a\n', 'a\n')).toBe('');
  });
});
