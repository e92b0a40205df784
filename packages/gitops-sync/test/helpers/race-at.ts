import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REAL_GIT } from './kill-at.js';

// A certain push race between real CLI processes. Processes started together do not reliably overlap (one may
// finish before the next has started Node), so a race left to chance proves the retry path only sometimes and
// needs many contenders to make it likely. Instead each CLI runs with a stand-in `git` first on its PATH that
// holds its FIRST `git push` until all `count` processes have reached theirs, then lets them push at once: all
// built their commit on the same remote head, so exactly one push wins and every other one loses its first race
// (a real rejection by the real remote), and must re-apply its change on the new head. What happens after that
// first round is left to the processes (and may race again).

const WRAPPER = `#!/bin/sh
# The concurrency tests' stand-in for git (test/helpers/race-at.ts): holds each CLI's first "git push" until
# RACE_COUNT CLIs (distinct parent pids) have reached theirs; every other call goes straight to the real git.
arrived() { [ -e "$1" ] && [ $# -ge "$RACE_COUNT" ]; }
if [ "$1" = push ] && [ ! -e "$RACE_DIR/at-push.$PPID" ]; then
  : > "$RACE_DIR/at-push.$PPID"
  i=0
  # Bounded (60 s): a contender that never comes makes the test fail on its race count, not hang.
  until arrived "$RACE_DIR"/at-push.*; do
    i=$((i + 1)); [ $i -lt 1200 ] || break
    sleep 0.05
  done
fi
exec "$RACE_GIT" "$@"
`;

/**
 * The environment for `count` CLI processes (cliAsync's extraEnv) whose first pushes meet: a fresh barrier
 * under `dir` (the fixture's directory, removed with it).
 */
export function raceAtPush(dir: string, count: number): Record<string, string> {
  const bin = join(dir, 'race-at-bin');
  if (!existsSync(join(bin, 'git'))) {
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'git'), WRAPPER);
    chmodSync(join(bin, 'git'), 0o755);
  }
  const state = join(dir, 'race-at-state');
  rmSync(state, { recursive: true, force: true });
  mkdirSync(state, { recursive: true });
  return {
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    RACE_GIT: REAL_GIT,
    RACE_DIR: state,
    RACE_COUNT: String(count),
  };
}
