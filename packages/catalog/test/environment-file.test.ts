import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { durationMs, loadEnvironmentFile } from '../src/index.js';
import { lines } from './fixtures.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const read = (env: string) => readFileSync(join(ROOT, 'environments', env, 'environment.yaml'), 'utf8');
const P = 'environments/prod/environment.yaml';

const VALID = `name: prod
cluster: cmsweb-prod
promotesFrom: preprod
promotion:
  tagPolicy:
    pattern: ^(.+-stable|v?[0-9]+\\.[0-9]+\\.[0-9]+)$
    description: stable tags only
    allowDigest: true
  soak: 24h
`;

describe('the bundled environment files', () => {
  it('all three parse cleanly and chain dev -> preprod -> prod', () => {
    const envs = ['dev', 'preprod', 'prod'].map((e) => {
      const r = loadEnvironmentFile(`environments/${e}/environment.yaml`, read(e));
      expect(lines(r.findings), e).toEqual([]);
      return r.environment!;
    });
    expect(envs.map((e) => [e.name, e.promotesFrom])).toEqual([
      ['dev', null],
      ['preprod', 'dev'],
      ['prod', 'preprod'],
    ]);
  });

  it("prod's tag policy takes stable tags and release SemVer only", () => {
    const prod = loadEnvironmentFile(P, read('prod')).environment!;
    const policy = new RegExp(prod.promotion!.tagPolicy!.pattern);
    for (const tag of ['HG2108h-stable', 'v00.06.39-stable', 'v1.2.3', '2.1.3']) expect(tag).toMatch(policy);
    for (const tag of ['HG2208d', 'v1.2.3-rc1', 'latest', '2.2.0.2']) expect(tag).not.toMatch(policy);
    expect(prod.promotion?.freeze?.windows?.[0]?.reason).toBe('CERN annual closure');
  });
});

describe('loadEnvironmentFile findings', () => {
  it('accepts a valid file', () => {
    const r = loadEnvironmentFile(P, VALID);
    expect(r.findings).toEqual([]);
    expect(r.environment?.promotion?.soak).toBe('24h');
  });

  it('reports a tag pattern that is no regular expression at the pattern', () => {
    const r = loadEnvironmentFile(
      P,
      VALID.replace('pattern: ^(.+-stable|v?[0-9]+\\.[0-9]+\\.[0-9]+)$', 'pattern: ^(.+-stable'),
    );
    expect(lines(r.findings)).toEqual([
      `${P}:6:5 environment-schema promotion.tagPolicy.pattern is not a valid regular expression in RE2 syntax (no backreferences or lookaround): missing closing ): \`^(.+-stable\``,
    ]);
  });

  it('refuses a pattern only a backtracking engine accepts (a backreference), in RE2 syntax', () => {
    const r = loadEnvironmentFile(
      P,
      VALID.replace('pattern: ^(.+-stable|v?[0-9]+\\.[0-9]+\\.[0-9]+)$', 'pattern: ^(a)\\1$'),
    );
    expect(lines(r.findings)).toEqual([
      `${P}:6:5 environment-schema promotion.tagPolicy.pattern is not a valid regular expression in RE2 syntax (no backreferences or lookaround): invalid escape sequence: \`\\1\``,
    ]);
  });

  it('checks name against its folder and promotesFrom against the declared environments', () => {
    const expected = { name: 'prod', environments: ['dev', 'preprod', 'prod'] };
    expect(lines(loadEnvironmentFile(P, VALID, expected).findings)).toEqual([]);
    expect(lines(loadEnvironmentFile(P, VALID.replace('name: prod', 'name: production'), expected).findings)).toEqual([
      `${P}:1:1 environment-schema name "production" differs from its folder environments/prod/: expected name: prod`,
    ]);
    expect(
      lines(loadEnvironmentFile(P, VALID.replace('promotesFrom: preprod', 'promotesFrom: staging'), expected).findings),
    ).toEqual([
      `${P}:3:1 environment-schema promotesFrom "staging" names no other environment of catalog/cluster.yaml: expected one of dev, preprod, or null for the first`,
    ]);
  });

  it('reports an unknown key with "did you mean"', () => {
    const r = loadEnvironmentFile(P, VALID.replace('  soak: 24h', '  soakk: 24h'));
    expect(lines(r.findings)).toEqual([
      `${P}:9:3 catalog-unknown-key unknown key "soakk" in promotion (did you mean "soak"?); allowed keys: tagPolicy, soak, freeze, requireValidation`,
    ]);
    expect(r.environment).toBeUndefined();
  });

  it('reports a bad duration and a missing key together', () => {
    const r = loadEnvironmentFile(
      P,
      VALID.replace('  soak: 24h', '  soak: 1 day').replace('cluster: cmsweb-prod\n', ''),
    );
    expect(lines(r.findings)).toEqual([
      `${P}:1:1 catalog-schema missing required key "cluster" in the top level: expected string`,
      `${P}:8:3 catalog-schema promotion.soak: expected a duration such as 30m, 24h or 7d, got string "1 day"`,
    ]);
  });

  it('reports YAML faults and stops there', () => {
    const r = loadEnvironmentFile(P, `${VALID}name: prod\n`);
    expect(lines(r.findings)).toEqual([
      `${P}:10:1 yaml-duplicate-key duplicate key "name" (each key may appear once per mapping; a duplicate silently replaces the first value in most tools)`,
    ]);
    expect(r.environment).toBeUndefined();
  });
});

describe('durationMs', () => {
  it('converts minutes, hours and days', () => {
    expect(durationMs('30m')).toBe(30 * 60_000);
    expect(durationMs('24h')).toBe(24 * 3_600_000);
    expect(durationMs('7d')).toBe(7 * 86_400_000);
  });
});
