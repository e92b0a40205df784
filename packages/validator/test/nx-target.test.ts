import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURE_REPO, REPO_ROOT } from './helpers.js';

// `nx run validator:validate` forwards its arguments and caches the result (inputs: catalog, charts,
// environments, validator.yaml and the validator's sources): the second identical run comes from the cache.
const cache = mkdtempSync(join(tmpdir(), 'validator-nx-cache-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

function nx(...args: string[]) {
  const r = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'nx'), ['run', 'validator:validate', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NO_COLOR: '1', NX_CACHE_DIRECTORY: cache, NX_TUI: 'false' },
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('nx run validator:validate', () => {
  it('forwards arguments and serves the second identical run from the cache', { timeout: 180_000 }, () => {
    const first = nx('--root', FIXTURE_REPO, '--environment', 'dev');
    expect(first.out).toContain('✔ 0 errors, 0 warnings in 12 resources');
    expect(first.out).toMatch(/Cache:\s+0\/1 hit/);
    expect(first.code).toBe(0);
    const second = nx('--root', FIXTURE_REPO, '--environment', 'dev');
    expect(second.out).toContain('✔ 0 errors, 0 warnings in 12 resources');
    expect(second.out).toMatch(/Cache:\s+1\/1 hit/);
    const other = nx('--root', FIXTURE_REPO, '--args=--env prod');
    expect(other.out).toMatch(/Cache:\s+0\/1 hit/);
    expect(other.out).toContain('✔ 0 errors, 0 warnings in 12 resources');
  });
});
