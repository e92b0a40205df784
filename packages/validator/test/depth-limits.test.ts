import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { YAML_LIMITS } from '@cmsweb/yaml';
import { DEFAULT_RENDERER } from '../src/render/default-renderer.js';
import { fastLoad } from '../src/manifests/fast-parse.js';
import { FIXTURES, runChartInProcess, runCli, runManifestsInProcess } from './helpers.js';

// Nesting deeper than YAML_LIMITS.maxDepth (and alias bombs) are refused by every reader of the validator with
// file:line:column and the limit: manifests (fast path included), charts' values.schema.json, validator.yaml.

const max = YAML_LIMITS.maxDepth;
const LIMIT = new RegExp(`nested more than ${max} levels deep here .*the limit is ${max}`);
const list = (n: number) => `apiVersion: v1\nkind: List\nitems: ${'['.repeat(n)}${']'.repeat(n)}\n`;

async function withDir<T>(make: (dir: string) => T | Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'validator-depth-'));
  try {
    return await make(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('nesting depth and aliases, in every reader of the validator', { timeout: 120_000 }, () => {
  it('the fast path of manifests mode never vouches for a text that could nest too deep', () => {
    expect(fastLoad(list(max))).toBeUndefined(); // brackets on one line
    const indented = `a:\n${Array.from({ length: max }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} 1\n`;
    expect(fastLoad(indented)).toBeUndefined(); // indentation
    expect(fastLoad(list(3))).toEqual({ value: { apiVersion: 'v1', kind: 'List', items: [[[]]] } });
  });

  // The manifests and chart commands in process (the CLI's functions, text output as it prints it, the CLI's
  // default renderer); the validator.yaml refusal through the real CLI (exit 2 on standard error).
  it('validator manifests: a List nested 3,000 deep is a yaml-depth finding at its place, exit 1', () =>
    withDir(async (dir) => {
      writeFileSync(join(dir, 'deep.yaml'), `# a List\n${list(3000)}`);
      const r = await runManifestsInProcess([join(dir, 'deep.yaml')], { root: dir, output: 'text' });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`deep\\.yaml:4:${max + 7} .*yaml-depth`));
      expect(r.stdout).toMatch(LIMIT);
    }));

  it('validator.yaml nested too deep: exit 2 naming validator.yaml:line:column and the limit', () =>
    withDir((dir) => {
      writeFileSync(join(dir, 'validator.yaml'), `checks: ${'{a: '.repeat(3000)}1${'}'.repeat(3000)}\n`);
      writeFileSync(join(dir, 'ok.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n');
      const r = runCli(['manifests', join(dir, 'ok.yaml'), '--root', dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^validator: validator\\.yaml:1:${4 * (max - 1) + 9}: ${LIMIT.source}`));
    }));

  it("a chart's values.schema.json nested too deep: a finding at its line and column, no stack overflow", () =>
    withDir(async (dir) => {
      cpSync(join(FIXTURES, 'checks', 'chart-values-schema', 'passes'), join(dir, 'chart'), { recursive: true });
      writeFileSync(join(dir, 'chart', 'values.schema.json'), `{\n  "a": ${'['.repeat(5000)}${']'.repeat(5000)}}\n`);
      const r = await runChartInProcess(join(dir, 'chart'), { root: dir, renderer: DEFAULT_RENDERER });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`values\\.schema\\.json:2:${max + 7} .*${LIMIT.source}`));
    }));
});
