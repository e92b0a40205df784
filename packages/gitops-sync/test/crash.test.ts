import { describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOverlay } from '../src/core/overlay.js';
import { at, BIN, cli, cliEnv, createFixture, git, gitRaw, read, prng, show } from './helpers/fixture.js';
import { run as runInProcess } from './helpers/run.js';

// SIGKILL at deterministic pseudo-random points, 30 times over: a local commit, a pushed commit, and a
// change the validator refuses. After every kill, before any recovery: no overlay is half-written, the
// branch (and the remote) holds either the old commit or the complete planned one, and a refused change
// never becomes a commit. The next command completes or discards what the killed one left.

// The validation gate runs helpers/fake-validator.cjs (cliEnv's GITOPS_SYNC_VALIDATOR): it refuses tags containing "broken".

function runAndKill(
  cwd: string,
  args: string[],
  now: string,
  delayMs: number,
): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, ...cliEnv(now) },
      stdio: 'ignore',
    });
    let killed = false;
    const timer = setTimeout(() => {
      killed = child.kill('SIGKILL');
    }, delayMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ killed: killed && code === null, code });
    });
  });
}

const OV = (s: string) => `environments/dev/values/${s}.yaml`;
const tagOf = (text: string) => /tag: (\S+)/.exec(text)![1];

describe('crash safety', () => {
  it('30 SIGKILLs at pseudo-random points never leave a half-written overlay or a commit that failed a gate', async () => {
    const fx = createFixture({ a: { dev: 'v0' }, b: { dev: 'v0' } });
    try {
      const local = fx.clone('local');
      const pusher = fx.clone('pusher');
      const t0 = Date.now();
      expect(cli(local, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'warmup'], at(1)).code).toBe(0);
      const duration = Date.now() - t0;
      const random = prng(20261121);
      const tally = { before: 0, committed: 0, finished: 0, refused: 0, recovered: 0 };

      for (let i = 0; i < 30; i++) {
        const kind = (['local', 'push', 'refused'] as const)[i % 3];
        const repo = kind === 'push' ? pusher : local;
        const service = kind === 'push' ? 'b' : 'a';
        const tag = kind === 'refused' ? `broken-${i}` : `v${i + 1}`;
        const head = git(repo, ['rev-parse', 'HEAD']);
        const remote = git(fx.remote, ['rev-parse', 'main']);
        const text = read(repo, OV(service));
        const planned = text.replace(`tag: ${tagOf(text)} `, `tag: ${tag} `);
        const args = [
          'bump',
          '--service',
          service,
          '--env',
          'dev',
          '--tag',
          tag,
          ...(kind === 'push' ? ['--push'] : []),
        ];
        const delay = Math.round(duration * (0.35 + 0.8 * random()));
        const run = await runAndKill(repo, args, at(2 + i), delay);

        // Before any recovery: every overlay reads whole, with the old or the planned tag.
        for (const s of ['a', 'b']) {
          const now = read(repo, OV(s));
          expect(parseOverlay('dev', s, OV(s), now).problems, `run ${i}`).toEqual([]);
          expect([tagOf(text), tag, tagOf(show(repo, 'HEAD', OV(s)))], `run ${i}`).toContain(tagOf(now));
        }
        const newHead = git(repo, ['rev-parse', 'HEAD']);
        const newRemote = git(fx.remote, ['rev-parse', 'main']);
        if (kind === 'refused') {
          expect(newHead, `run ${i}: a change the validator refused was committed`).toBe(head);
          expect(read(repo, OV(service))).toBe(text);
          tally.refused++;
        }
        for (const [before, after, where] of [
          [head, newHead, repo],
          [remote, newRemote, fx.remote],
        ] as const) {
          if (after === before) continue;
          expect(git(where, ['rev-parse', `${after}^`]), `run ${i}`).toBe(before);
          expect(show(where, after, OV(service)) + '\n', `run ${i}`).toBe(planned);
          expect(git(where, ['log', '-1', '--format=%(trailers:key=Tag,valueonly)', after])).toBe(tag);
        }
        const landed = kind === 'push' ? newRemote !== remote : newHead !== head;
        if (kind !== 'refused') tally[!run.killed ? 'finished' : landed ? 'committed' : 'before']++;

        // The next command (in process: the status command the CLI runs) completes or discards what the
        // killed one left; then all is clean.
        const status = await runInProcess(repo, ['status', '--json'], at(2 + i));
        expect(status.code, status.stderr).toBe(0);
        if (status.json.notes.length > 0) tally.recovered++;
        if (kind === 'push' && git(repo, ['rev-parse', 'HEAD']) !== newRemote)
          git(repo, ['merge', '-q', '--ff-only', 'origin/main']);
        expect(gitRaw(repo, ['status', '--porcelain', '--untracked-files=all']), `run ${i}`).toBe('');
        expect(read(repo, OV(service)) + '').toBe(show(repo, 'HEAD', OV(service)) + '\n');
        expect(readdirSync(join(repo, '.git')).filter((f) => f.startsWith('gitops-sync'))).toEqual([]);
      }
      for (const repo of [local, pusher, fx.remote]) git(repo, ['fsck', '--no-dangling', '--no-progress']);
      expect(existsSync(join(local, 'environments/dev/.a.yaml.gitops-sync.tmp'))).toBe(false);
      console.log(
        `30 SIGKILL runs (command ≈ ${duration} ms): killed before the change landed ${tally.before}, killed after it landed ${tally.committed}, ran to the end ${tally.finished}, validator-refused ${tally.refused} (never committed); recovery notes ${tally.recovered}`,
      );
      expect(tally.before + tally.committed).toBeGreaterThan(0);
    } finally {
      fx.cleanup();
    }
  }, 1_200_000);

  it('the next command rolls a commit forward whose work-tree update was cut off, and discards one that never landed', () => {
    const fx = createFixture({ a: { dev: 'v1' } });
    try {
      const repo = fx.clone('local');
      const old = git(repo, ['rev-parse', 'HEAD']);
      const text = read(repo, OV('a'));
      const next = text.replace('tag: v1 ', 'tag: v2 ');
      // The state a kill between "move the branch" and "write the work tree" leaves behind:
      const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], {
        cwd: repo,
        input: next,
        encoding: 'utf8',
      }).trim();
      const env = { ...process.env, GIT_INDEX_FILE: join(repo, '.git', 'scratch-index') };
      execFileSync('git', ['read-tree', old], { cwd: repo, env });
      execFileSync('git', ['update-index', '--cacheinfo', `100644,${blob},${OV('a')}`], { cwd: repo, env });
      const tree = execFileSync('git', ['write-tree'], { cwd: repo, env, encoding: 'utf8' }).trim();
      rmSync(join(repo, '.git', 'scratch-index'));
      const commit = git(repo, ['commit-tree', tree, '-p', old, '-m', 'bump(dev): a v2']);
      const dead = 2 ** 22 + 17; // above Linux's largest pid_max: never a live process (a reaped pid may be reused)
      writeFileSync(
        join(repo, '.git', 'gitops-sync-journal.json'),
        JSON.stringify({ branch: 'main', oldHead: old, newHead: commit, paths: [OV('a')] }),
      );
      writeFileSync(join(repo, '.git', 'gitops-sync.lock'), String(dead));
      writeFileSync(join(repo, 'environments/dev/values/.a.yaml.gitops-sync.tmp'), next.slice(0, 20));
      git(repo, ['update-ref', 'refs/heads/main', commit, old]);

      const r = cli(repo, ['status', '--json'], at(2));
      expect(r.json.notes).toEqual([
        `completed an interrupted gitops-sync commit ${commit.slice(0, 10)} on main (work tree and index brought up to it)`,
      ]);
      expect(read(repo, OV('a'))).toBe(next);
      expect(gitRaw(repo, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
      expect(readdirSync(join(repo, '.git')).filter((f) => f.startsWith('gitops-sync'))).toEqual([]);

      writeFileSync(
        join(repo, '.git', 'gitops-sync-journal.json'),
        JSON.stringify({ branch: 'main', oldHead: commit, newHead: 'f'.repeat(40), paths: [OV('a')] }),
      );
      const d = cli(repo, ['bump', '--service', 'a', '--env', 'dev', '--tag', 'v3', '--json'], at(3));
      expect(d.json.notes).toEqual(['discarded an interrupted gitops-sync change that never reached main']);
      expect(d.json.status).toBe('committed');
      expect(gitRaw(repo, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
    } finally {
      fx.cleanup();
    }
  }, 300_000);
});
