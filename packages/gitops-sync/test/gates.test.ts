import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { evaluateGates, GATES, type GateContext, type GateId } from '../src/core/gates.js';
import type { EnvironmentState, Hold, OverlayVersion } from '../src/core/model.js';
import { environmentFile } from '@cmsweb/catalog';
import { parse } from 'yaml';
import { ENVIRONMENTS, DIGEST } from './helpers/fixture.js';

// Every gate has a context where it fires and one where it lets the change through; a gate added to
// the registry without both fails the first test.

const env = (name: string, holds: Hold[] = [], patch: (o: any) => void = () => {}): EnvironmentState => {
  const raw = parse(ENVIRONMENTS[name]!);
  patch(raw);
  return {
    name,
    config: environmentFile.parse(raw),
    overlays: new Map(),
    holds: new Map(holds.map((h) => [h.service, h])),
    holdsPath: `environments/${name}/holds.yaml`,
    holdsText: null,
  };
};
const NOW = new Date('2026-11-10T12:00:00Z');
const version = (
  envName: string,
  tag: string,
  digest: string | null,
  date: string,
  commit = 'c'.repeat(40),
): OverlayVersion => ({
  commit,
  parents: [],
  date,
  author: 'a <a@x>',
  subject: 's',
  trailers: '',
  env: envName,
  service: 'svc',
  path: `environments/${envName}/values/svc.yaml`,
  image: { tag, digest },
  kind: 'overlay',
});
const base: GateContext = {
  kind: 'promote',
  service: 'svc',
  to: env('prod'),
  from: env('preprod'),
  current: { tag: 'v1.0.0', digest: null },
  next: { tag: 'v1.1.0', digest: null },
  source: { tag: 'v1.1.0', digest: null },
  versions: [version('preprod', 'v1.1.0', null, '2026-11-08T12:00:00Z')],
  now: NOW,
};
const hold: Hold = {
  service: 'svc',
  tag: 'v1.0.0',
  rolledBackFrom: 'v1.1.0',
  since: '2026-11-09T00:00:00Z',
  by: 'rm <rm@x>',
  operationId: 'x',
};

const cases: Record<
  GateId,
  { fires: Partial<GateContext>; passes: Partial<GateContext>; message: RegExp } | undefined
> = {
  overlay: undefined,
  history: undefined,
  validation: undefined, // evaluated by the planners and the shell, tested there
  order: {
    fires: { from: env('dev') },
    passes: {},
    message: /prod promotes from preprod, not from dev: promote dev → preprod first/,
  },
  source: {
    fires: { expectSource: { tag: 'v1.0.9', digest: null } },
    passes: { expectSource: { tag: 'v1.1.0', digest: null } },
    message: /preprod runs v1\.1\.0 now, expected v1\.0\.9/,
  },
  digest: {
    fires: {
      source: { tag: 'v1.1.0', digest: DIGEST('b') },
      versions: [version('dev', 'v1.1.0', DIGEST('a'), '2026-11-07T00:00:00Z')],
    },
    passes: {
      source: { tag: 'v1.1.0', digest: DIGEST('a') },
      versions: [version('dev', 'v1.1.0', DIGEST('a'), '2026-11-07T00:00:00Z')],
    },
    message: /tag v1\.1\.0 was recorded with digest sha256:a+ in dev .* re-pushed/,
  },
  soak: {
    fires: { now: new Date('2026-11-09T11:00:00Z') },
    passes: {},
    message: /has run 23h in preprod .* prod requires 24h, 1h to go/,
  },
  'tag-policy': {
    fires: { next: { tag: 'v1.1.0-rc1', digest: null } },
    passes: { next: { tag: 'v1.1.0-rc1', digest: DIGEST('d') } },
    message: /does not match prod's tag policy .* and pins no digest/,
  },
  freeze: {
    fires: {
      now: new Date('2026-12-24T00:00:00Z'),
      versions: [version('preprod', 'v1.1.0', null, '2026-12-01T00:00:00Z')],
    },
    passes: {},
    message: /freeze window 2026-12-21T00:00:00Z – 2027-01-04T00:00:00Z \(CERN annual closure\)/,
  },
  hold: {
    fires: { to: env('prod', [hold]) },
    passes: {},
    message: /svc is held in prod since .* release --service svc --env prod/,
  },
  'compare-and-swap': {
    fires: { expectTarget: { tag: 'v0.9.0', digest: null } },
    passes: { expectTarget: { tag: 'v1.0.0', digest: null } },
    message: /prod runs v1\.0\.0 now, expected v0\.9\.0/,
  },
};

const result = (ctx: GateContext, id: GateId) => evaluateGates(ctx).find((g) => g.gate === id)!;

describe('gates', () => {
  it('every gate in the registry has a firing and a passing case here, and a row in the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const g of GATES) {
      expect(cases[g.id], `gate ${g.id} lacks test cases`).toBeDefined();
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${g.id}\` |`));
      expect(row, `README lacks a row for gate ${g.id}`).toBeDefined();
      expect(row!.split('|')[3]!.trim()).toBe(g.overridable ? 'yes' : 'no');
    }
  });
  for (const [id, c] of Object.entries(cases)) {
    if (!c) continue;
    it(`${id} fires`, () => {
      const r = result({ ...base, ...c.fires }, id as GateId);
      expect(r.status).toBe('fail');
      expect(r.message).toMatch(c.message);
    });
    it(`${id} lets a good change through`, () => {
      expect(result({ ...base, ...c.passes }, id as GateId).status).toMatch(/pass|skipped/);
    });
  }

  it('break-glass overrides exactly the overridable gates and says so', () => {
    const ctx: GateContext = {
      ...base,
      now: new Date('2026-12-24T00:00:00Z'),
      versions: [version('preprod', 'v1.1.0', null, '2026-12-23T23:00:00Z')],
      to: env('prod', [hold]),
      breakGlass: 'CVE hotfix',
    };
    const byGate = Object.fromEntries(evaluateGates(ctx).map((g) => [g.gate, g]));
    expect(byGate.freeze!.status).toBe('overridden');
    expect(byGate.freeze!.message).toMatch(/overridden with --break-glass: CVE hotfix/);
    expect(byGate.soak!.status).toBe('overridden');
    expect(byGate.hold!.status).toBe('fail');
    expect(
      GATES.filter((g) => g.overridable)
        .map((g) => g.id)
        .sort(),
    ).toEqual(['freeze', 'soak']);
  });

  it('the freeze switch fires with its reason', () => {
    const frozen = env('prod', [], (o) => {
      o.promotion.freeze.enabled = true;
      o.promotion.freeze.reason = 'LHC restart';
    });
    expect(result({ ...base, to: frozen }, 'freeze').message).toBe('prod is frozen (LHC restart)');
  });

  it('a bump goes only into the testbed', () => {
    const bump = { ...base, kind: 'bump' as const, from: undefined };
    expect(result({ ...bump, to: env('dev') }, 'order').status).toBe('pass');
    expect(result({ ...bump, to: env('preprod') }, 'order').message).toMatch(
      /preprod takes its tags from dev, not from bumps/,
    );
  });

  it('a re-pushed digest restarts the soak', () => {
    const versions = [
      version('preprod', 'v1.1.0', DIGEST('b'), '2026-11-10T11:00:00Z'),
      version('preprod', 'v1.1.0', DIGEST('a'), '2026-11-01T00:00:00Z'),
    ];
    const r = result({ ...base, source: { tag: 'v1.1.0', digest: DIGEST('b') }, versions }, 'soak');
    expect(r.status).toBe('fail');
    expect(r.message).toMatch(/has run 1h in preprod/);
  });
});
