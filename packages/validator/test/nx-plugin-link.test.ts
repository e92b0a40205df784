// nx.json names the catalog plugin by node_modules/.cmsweb/nx-plugin.cjs (written by scripts/link-nx-plugin.mjs
// at `npm ci`), not by its path in tools/: nx treats a plugin that resolves inside the workspace but outside
// node_modules as a possible workspace project and globs every file of the workspace to find out
// (nx/src/project-graph/plugins/resolve-plugin.js, isWorkspaceLocalResolution). These tests hold the two facts
// that make the link work: it resolves into node_modules, and it loads the plugin of the workspace nx runs in.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const require = createRequire(import.meta.url);
const entry = (JSON.parse(readFileSync(join(ROOT, 'nx.json'), 'utf8')) as { plugins: Array<{ plugin: string }> })
  .plugins[0]!.plugin;
const base = mkdtempSync(join(tmpdir(), 'nx-plugin-link-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('the nx plugin link', () => {
  it('nx.json names a file that resolves inside node_modules, as nx resolves plugins (no workspace scan)', () => {
    const resolved = require.resolve(entry, { paths: [ROOT] });
    expect(relative(ROOT, resolved).split('/')).toContain('node_modules');
    // nx's test for a workspace-local plugin, verbatim in meaning: inside the root and not under node_modules.
    const { resolveNxPlugin } = require('nx/src/project-graph/plugins/resolve-plugin.js') as {
      resolveNxPlugin: (m: string, root: string, paths: string[]) => Promise<{ pluginPath: string }>;
    };
    return expect(resolveNxPlugin(entry, ROOT, [ROOT])).resolves.toMatchObject({ pluginPath: resolved });
  });

  it('loads tools/nx-plugin/index.cjs of the workspace nx runs in, whatever node_modules it is reached through', () => {
    const ws = join(base, 'ws');
    mkdirSync(join(ws, 'tools', 'nx-plugin'), { recursive: true });
    writeFileSync(join(ws, 'nx.json'), '{}\n');
    writeFileSync(join(ws, 'tools', 'nx-plugin', 'index.cjs'), "module.exports = { name: 'the-workspace-plugin' };\n");
    symlinkSync(join(ROOT, 'node_modules'), join(ws, 'node_modules'));
    const r = spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(entry)}).name)`], {
      cwd: ws,
      encoding: 'utf8',
      // Only PATH: with the runner's FORCE_COLOR beside CI's NO_COLOR, node warns on standard error.
      env: { PATH: process.env.PATH },
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('the-workspace-plugin');
    // In this repository it is the catalog plugin itself.
    const own = spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(entry)}).name)`], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(own.stdout.trim()).toBe(require(join(ROOT, 'tools', 'nx-plugin', 'index.cjs')).name);
  });
});
