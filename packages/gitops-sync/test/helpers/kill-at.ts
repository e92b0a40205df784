import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cliEnv } from './fixture.js';

// Deterministic crash points for the crash tests. Instead of SIGKILLing the CLI after a random delay (which
// lands mostly in Node's start-up and proves the same few states again), the CLI runs with a stand-in `git`
// first on its PATH: a shell script that passes every call to the real git, except that at the chosen call
// (the n-th `git <subcommand>`) it SIGKILLs the CLI, its parent, either before that git operation runs or
// right after it finished (its effect on disk, the CLI never learning of it). Every git operation that writes
// (objects, the branch, the index, the remote, a work tree) is a boundary between two on-disk states, so
// "before" and "after" each of them reaches every state a kill can leave, each one on purpose. The files
// gitops-sync writes itself (lock, journal, overlays) sit between two such operations.

export interface KillPoint {
  /** The git subcommand (`update-ref`, `push`, ...), the first word after `git`. */
  op: string;
  /** Which call of that subcommand in the command's run, from 1. */
  nth?: number;
  when: 'before' | 'after';
}

export const describePoint = (p: KillPoint) => `${p.when} git ${p.op}${(p.nth ?? 1) > 1 ? ` #${p.nth}` : ''}`;

const WRAPPER = `#!/bin/sh
# The crash tests' stand-in for git (test/helpers/kill-at.ts): kills its parent, the gitops-sync CLI, with
# SIGKILL before or after the KILL_AT_NTH-th "git KILL_AT_OP"; every other call goes to the real git.
if [ "$1" = "$KILL_AT_OP" ]; then
  n=$(( $(cat "$KILL_AT_STATE/count" 2>/dev/null || echo 0) + 1 ))
  echo $n > "$KILL_AT_STATE/count"
  if [ "$n" = "$KILL_AT_NTH" ]; then
    if [ "$KILL_AT_WHEN" = after ]; then "$KILL_AT_GIT" "$@"; rc=$?; else rc=137; fi
    echo "$PPID" > "$KILL_AT_STATE/killed"
    kill -9 "$PPID"
    exit $rc
  fi
fi
exec "$KILL_AT_GIT" "$@"
`;

export const REAL_GIT = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();

/** Writes the stand-in git into `dir/bin` once; returns that directory (to put first on the CLI's PATH). */
export function killAtBin(dir: string): string {
  const bin = join(dir, 'kill-at-bin');
  if (!existsSync(join(bin, 'git'))) {
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'git'), WRAPPER);
    chmodSync(join(bin, 'git'), 0o755);
  }
  return bin;
}

export interface KilledRun {
  /** The CLI died of the SIGKILL the stand-in sent (the point was reached). */
  killed: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs the CLI (`node bin/gitops-sync.js`, as users do) in `cwd` and kills it at `point`. Its temporary
 * directories (the validation tree a killed run cannot remove) go under `dir`, which the fixture removes.
 */
export function runKilledAt(
  dir: string,
  cwd: string,
  args: string[],
  now: string,
  point: KillPoint,
): Promise<KilledRun> {
  const state = join(dir, 'kill-at-state');
  rmSync(state, { recursive: true, force: true });
  mkdirSync(state, { recursive: true });
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: {
        ...process.env,
        ...cliEnv(now),
        PATH: `${killAtBin(dir)}:${process.env.PATH ?? ''}`,
        TMPDIR: tmp,
        KILL_AT_GIT: REAL_GIT,
        KILL_AT_OP: point.op,
        KILL_AT_NTH: String(point.nth ?? 1),
        KILL_AT_WHEN: point.when,
        KILL_AT_STATE: state,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code, signal) => {
      const by = existsSync(join(state, 'killed')) ? Number(readFileSync(join(state, 'killed'), 'utf8')) : null;
      resolve({ killed: by === child.pid && signal === 'SIGKILL', code, signal, stderr });
    });
  });
}
