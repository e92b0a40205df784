import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { at, cloneState, createFixture, git, prng, read, refFiles } from './helpers/fixture.js';
import { run } from './helpers/run.js';

// Fault injection over git states, bounded: every fault below (lock files of git and of gitops-sync,
// operations in progress, refusing or meddling hooks, unpushed local commits, local edits) meets a
// pseudo-randomly chosen command (bump or promote, local or --push). Each must be refused with exit 1
// and a reason, no stack trace, and change nothing: HEAD, refs, work tree, index, the git directory's
// gitops-sync files and the remote. Kills (also during --push) are in crash.test.ts.

interface Command {
  name: string;
  push: boolean;
  env: string;
  args(i: number): string[];
}
const COMMANDS: Command[] = [
  {
    name: 'bump',
    push: false,
    env: 'dev',
    args: (i) => ['bump', '--service', 'a', '--env', 'dev', '--tag', `v9.${i}`, '--json'],
  },
  {
    name: 'bump --push',
    push: true,
    env: 'dev',
    args: (i) => ['bump', '--service', 'a', '--env', 'dev', '--tag', `v9.${i}`, '--json', '--push'],
  },
  {
    name: 'promote',
    push: false,
    env: 'preprod',
    args: () => ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--json'],
  },
  {
    name: 'promote --push',
    push: true,
    env: 'preprod',
    args: () => ['promote', '--service', 'a', '--from', 'dev', '--to', 'preprod', '--json', '--push'],
  },
];

interface Fault {
  name: string;
  pushOnly?: boolean;
  expect: RegExp;
  make(repo: string, cmd: Command): () => void;
}

const old = (path: string) => {
  writeFileSync(path, '');
  const t = Date.now() / 1000 - 900;
  utimesSync(path, t, t);
};
const file =
  (name: string, content = '') =>
  (repo: string) => {
    const p = join(repo, '.git', name);
    writeFileSync(p, content);
    return () => rmSync(p);
  };
const staleLock = (name: string) => (repo: string) => {
  const p = join(repo, '.git', name);
  old(p);
  return () => rmSync(p);
};
const dir = (name: string, inner?: string) => (repo: string) => {
  const p = join(repo, '.git', name);
  mkdirSync(p);
  if (inner) writeFileSync(join(p, inner), '');
  return () => rmSync(p, { recursive: true });
};
const hook = (name: string, body: string) => (repo: string) => {
  const p = join(repo, '.git', 'hooks', name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return () => rmSync(p);
};

const FAULTS: Fault[] = [
  {
    name: 'stale index.lock',
    make: staleLock('index.lock'),
    expect: /^git lock file \S+index\.lock \(\d+ s old\) exists, older than 60 s/,
  },
  { name: 'stale HEAD.lock', make: staleLock('HEAD.lock'), expect: /^git lock file \S+HEAD\.lock .*remove it \(rm / },
  { name: 'stale ORIG_HEAD.lock', make: staleLock('ORIG_HEAD.lock'), expect: /^git lock file \S+ORIG_HEAD\.lock/ },
  {
    name: 'stale branch lock',
    make: staleLock('refs/heads/main.lock'),
    expect: /^git lock file \S+refs\/heads\/main\.lock/,
  },
  {
    name: 'stale packed-refs.lock',
    make: staleLock('packed-refs.lock'),
    expect: /^git lock file \S+packed-refs\.lock/,
  },
  {
    name: 'young index.lock (wait bounded by GITOPS_SYNC_LOCK_WAIT=0.2)',
    make: file('index.lock'),
    expect: /index\.lock .* still there after waiting/,
  },
  {
    name: 'merge in progress',
    make: (r) => file('MERGE_HEAD', git(r, ['rev-parse', 'HEAD']) + '\n')(r),
    expect: /^a merge is in progress .*git merge --abort/,
  },
  {
    name: 'rebase (merge backend) in progress',
    make: dir('rebase-merge'),
    expect: /^a rebase is in progress .*git rebase --abort/,
  },
  {
    name: 'rebase (apply backend) in progress',
    make: dir('rebase-apply'),
    expect: /^a rebase \(or `git am`\) is in progress/,
  },
  {
    name: 'git am in progress',
    make: dir('rebase-apply', 'applying'),
    expect: /^`git am` is in progress .*git am --abort/,
  },
  {
    name: 'cherry-pick in progress',
    make: (r) => file('CHERRY_PICK_HEAD', git(r, ['rev-parse', 'HEAD']) + '\n')(r),
    expect: /^a cherry-pick is in progress/,
  },
  {
    name: 'revert in progress',
    make: (r) => file('REVERT_HEAD', git(r, ['rev-parse', 'HEAD']) + '\n')(r),
    expect: /^a revert is in progress/,
  },
  {
    name: 'bisect in progress',
    make: file('BISECT_LOG', 'git bisect start\n'),
    expect: /^a bisect is in progress .*git bisect reset/,
  },
  {
    name: 'pre-commit hook refuses',
    make: hook('pre-commit', 'echo "policy: no" >&2; exit 1'),
    expect: /^the repository's commit hooks refused the commit .*policy: no/,
  },
  {
    name: 'commit-msg hook refuses',
    make: hook('commit-msg', 'echo "bad message" >&2; exit 1'),
    expect: /bad message/,
  },
  {
    name: 'pre-commit hook edits the overlay',
    make: (r, c) =>
      hook('pre-commit', `sed -i 's/replicaCount/replicas/' environments/${c.env}/values/a.yaml && git add -A`)(r),
    expect: /^a commit hook changed the files of the commit/,
  },
  {
    name: 'prepare-commit-msg hook refuses',
    make: hook('prepare-commit-msg', 'exit 3'),
    expect: /^the repository's commit hooks refused/,
  },
  {
    name: 'unpushed local commit',
    pushOnly: true,
    expect: /^local main has 1 commit that origin\/main lacks \([0-9a-f]+ local work\)/,
    make: (r) => {
      git(r, ['commit', '-q', '--allow-empty', '-m', 'local work']);
      return () => git(r, ['reset', '-q', '--soft', 'HEAD^']);
    },
  },
  {
    name: 'local edit of the overlay',
    expect: /^uncommitted changes in environments\/\w+\/values\/a\.yaml \(M\)/,
    make: (r, c) => {
      const p = join(r, `environments/${c.env}/values/a.yaml`);
      const t = read(r, `environments/${c.env}/values/a.yaml`);
      writeFileSync(p, t + '# mine\n');
      return () => writeFileSync(p, t);
    },
  },
  {
    name: 'gitops-sync lock held by a live process (wait bounded)',
    expect: /^another gitops-sync command \(process \d+\) has held .*gitops-sync\.lock for more than 0 s/,
    make: (r) => {
      const child = spawn('sleep', ['60'], { stdio: 'ignore' });
      writeFileSync(join(r, '.git', 'gitops-sync.lock'), String(child.pid));
      return () => {
        child.kill('SIGKILL');
        rmSync(join(r, '.git', 'gitops-sync.lock'));
      };
    },
  },
];

// HEAD, branches and tags, work tree, index, registered work trees (helpers/fixture.ts cloneState: one git
// process), the git directory's gitops-sync files, and the remote's refs.
function state(repo: string, remote: string) {
  return {
    ...cloneState(repo),
    ours: readdirSync(join(repo, '.git'))
      .filter((f) => f.startsWith('gitops-sync'))
      .sort(),
    remote: refFiles(remote),
  };
}

describe('fault injection over git states', () => {
  it('every fault, met by a random command, is refused cleanly and changes nothing', async () => {
    const fx = createFixture({ a: { dev: 'v2', preprod: 'v1' } });
    try {
      const repo = fx.clone('rm');
      const random = prng(20261130);
      const tally = { tried: 0, refused: 0, unchanged: 0 };
      const cases = [...FAULTS, ...Array.from({ length: 10 }, () => FAULTS[Math.floor(random() * FAULTS.length)]!)];
      for (const [i, fault] of cases.entries()) {
        const pool = fault.pushOnly ? COMMANDS.filter((c) => c.push) : COMMANDS;
        const cmd = pool[Math.floor(random() * pool.length)]!;
        const what = `case ${i}: ${fault.name} × ${cmd.name}`;
        const undo = fault.make(repo, cmd);
        const before = state(repo, fx.remote);
        const r = await run(repo, cmd.args(i), at(100), {
          GITOPS_SYNC_LOCK_WAIT: /young|live/.test(fault.name) ? (/live/.test(fault.name) ? '0' : '0.2') : '30',
        });
        tally.tried++;
        expect(r.code, what).toBe(1);
        expect(r.json.status, what).toBe('refused');
        expect(r.json.reason, what).toMatch(fault.expect);
        expect(r.stdout + r.stderr, what).not.toMatch(/\n\s+at /);
        tally.refused++;
        expect(state(repo, fx.remote), what).toEqual(before);
        tally.unchanged++;
        undo();
      }
      // With the faults gone, the same commands go through (the push carries the local promotion).
      expect((await run(repo, COMMANDS[2]!.args(0), at(100))).json.status).toBe('committed');
      expect((await run(repo, [...COMMANDS[1]!.args(99), '--include-local-commits'], at(100))).json.status).toBe(
        'pushed',
      );
      console.log(
        `git fault injection: ${tally.tried} cases (${FAULTS.length} faults × bump/promote, local/--push), refused cleanly ${tally.refused}, nothing changed ${tally.unchanged}`,
      );
    } finally {
      fx.cleanup();
    }
  }, 300_000);
});

describe('the state compared above', () => {
  it('changes with each thing a command could change: a ref, the index, the work tree, a registered work tree, the remote', () => {
    const fx = createFixture({ a: { dev: 'v2' } });
    try {
      const repo = fx.clone('rm');
      const path = join(repo, 'environments/dev/values/a.yaml');
      const text = read(repo, 'environments/dev/values/a.yaml');
      const changes: Array<[string, () => void]> = [
        ['a branch', () => git(repo, ['branch', 'side'])],
        [
          'a staged edit',
          () => {
            writeFileSync(path, `${text}# x\n`);
            git(repo, ['add', path]);
          },
        ],
        [
          'the same file staged with another edit',
          () => {
            writeFileSync(path, `${text}# y\n`);
            git(repo, ['add', path]);
          },
        ],
        ['a work-tree edit', () => writeFileSync(path, `${text}# z\n`)],
        ['an untracked file', () => writeFileSync(join(repo, 'new.txt'), '')],
        ['a registered work tree', () => git(repo, ['worktree', 'add', '-q', '--detach', join(fx.dir, 'wt')])],
        ['the remote', () => git(repo, ['push', '-q', 'origin', 'HEAD:refs/heads/other'])],
      ];
      for (const [what, change] of changes) {
        const before = state(repo, fx.remote);
        change();
        expect(state(repo, fx.remote), what).not.toEqual(before);
      }
    } finally {
      fx.cleanup();
    }
  }, 120_000);
});
