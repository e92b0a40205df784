// Benchmarks of the real CLI (child processes, as release managers and CI run it):
//   1. promote --all of 50 synthetic services in one commit;
//   2. one promotion in a repository with 10,000 commits of history (built with git fast-import);
// plus status and history on that repository, and the bare start-up time of the CLI for reference.
// Run: npm run bench -- gitops-sync   (or: npx tsx packages/gitops-sync/bench/bench-promote.ts)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ENVIRONMENTS, overlay } from '../test/helpers/fixture.js';

const T0 = Date.parse('2026-10-01T00:00:00Z') / 1000;
const NOW = '2026-11-20T00:00:00Z';

function git(cwd: string, args: string[], input?: string): string {
  return execFileSync('git', args, { cwd, input, encoding: 'utf8', maxBuffer: 1 << 30 }).trim();
}

function timeCli(cwd: string, args: string[]): { ms: number; code: number | null; out: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GITOPS_SYNC_NOW: NOW },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0)
    throw new Error(`gitops-sync ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout.slice(0, 2000)}`);
  return { ms, code: r.status, out: r.stdout };
}

const services = Array.from({ length: 50 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);

/** A fast-import stream: the layout at T0, then `commits` commits each moving one overlay's tag. */
function stream(commits: number): string {
  const parts: string[] = [];
  const file = (path: string, text: string) => `M 100644 inline ${path}\ndata ${Buffer.byteLength(text)}\n${text}\n`;
  const commit = (n: number, when: number, message: string, files: string) =>
    `commit refs/heads/main\nmark :${n}\nauthor Bench <bench@cern.example> ${when} +0000\ncommitter Bench <bench@cern.example> ${when} +0000\n` +
    `data ${Buffer.byteLength(message)}\n${message}\n${n > 1 ? `from :${n - 1}\n` : ''}${files}\n`;
  let files = '';
  for (const [env, text] of Object.entries(ENVIRONMENTS)) files += file(`environments/${env}/environment.yaml`, text);
  for (const s of services)
    for (const env of ['dev', 'preprod', 'prod'])
      files += file(`environments/${env}/values/${s}.yaml`, overlay(s, env, 'v0.0.0'));
  parts.push(commit(1, T0, 'initial layout', files));
  for (let n = 2; n <= commits; n++) {
    const s = services[n % services.length]!;
    const env = n % 10 === 0 ? 'prod' : n % 5 === 0 ? 'preprod' : 'dev';
    const tag = `v0.${Math.floor(n / 50)}.${n % 50}`;
    parts.push(
      commit(
        n,
        T0 + n * 60,
        `edit ${env} ${s} ${tag}`,
        file(`environments/${env}/values/${s}.yaml`, overlay(s, env, tag)),
      ),
    );
  }
  return parts.join('');
}

function repoWith(commits: number): { dir: string; ms: number } {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-sync-bench-'));
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['config', 'user.name', 'Bench']);
  git(dir, ['config', 'user.email', 'bench@cern.example']);
  const start = process.hrtime.bigint();
  git(dir, ['fast-import', '--quiet'], stream(commits));
  git(dir, ['reset', '-q', '--hard', 'main']);
  return { dir, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

const fmt = (ms: number) => `${Math.round(ms)} ms`;
const lines: string[] = [];

const small = repoWith(1);
try {
  const help = timeCli(small.dir, ['--help']);
  lines.push(`CLI start-up (gitops-sync --help, compiled): ${fmt(help.ms)}`);
  for (const s of services)
    execFileSync('sed', ['-i', 's/tag: v0.0.0 /tag: v1.0.0 /', `environments/dev/values/${s}.yaml`], {
      cwd: small.dir,
    });
  execFileSync('git', ['commit', '-q', '-am', 'bump all dev', '--date', '2026-11-01T00:00:00Z'], {
    cwd: small.dir,
    env: { ...process.env, GIT_COMMITTER_DATE: '2026-11-01T00:00:00Z' },
  });
  const dry = timeCli(small.dir, ['promote', '--all', '--from', 'dev', '--to', 'preprod', '--dry-run', '--json']);
  lines.push(`promote --all, 50 services, --dry-run (plan, gates, 50 diffs): ${fmt(dry.ms)}`);
  const all = timeCli(small.dir, ['promote', '--all', '--from', 'dev', '--to', 'preprod', '--json']);
  const r = JSON.parse(all.out);
  lines.push(
    `promote --all, 50 services in one commit: ${fmt(all.ms)} (${r.changes.length} services changed, ${git(small.dir, ['show', '--name-only', '--format=', 'HEAD']).split('\n').length} files in the commit)`,
  );
} finally {
  rmSync(small.dir, { recursive: true, force: true });
}

const big = repoWith(10_000);
try {
  lines.push(`build: git fast-import of 10,000 commits (50 services x 3 environments): ${fmt(big.ms)}`);
  const one = timeCli(big.dir, ['promote', '--service', 'svc-07', '--from', 'dev', '--to', 'preprod', '--json']);
  const r = JSON.parse(one.out);
  lines.push(
    `single promotion, 10,000-commit history: ${fmt(one.ms)} (${r.status}; soak read from history: ${r.gates.find((g: { gate: string }) => g.gate === 'soak').message})`,
  );
  lines.push(
    `status, 10,000-commit history (50 services x 3 environments): ${fmt(timeCli(big.dir, ['status', '--json']).ms)}`,
  );
  const h = timeCli(big.dir, ['history', '--service', 'svc-07', '--json']);
  lines.push(
    `history --service svc-07, 10,000-commit history: ${fmt(h.ms)} (${JSON.parse(h.out).events.length} events)`,
  );
} finally {
  rmSync(big.dir, { recursive: true, force: true });
}
console.log(lines.join('\n'));
