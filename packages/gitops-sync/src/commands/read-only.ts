import { closest, distance } from 'fastest-levenshtein';
import { buildHistory, type HistoryEvent } from '../core/history-events.js';
import { UsageError } from '@cmsweb/toolkit';
import { checkEnvironment, checkService } from '../core/input.js';
import { buildStatus, type StatusReport } from '../core/status-matrix.js';
import { readClock } from '../shell/context.js';
import { openRepository, resolveCommit } from '../shell/git.js';
import { clearStaleWorktrees } from '../shell/build-commit.js';
import { alive, recoverInterrupted } from '../shell/local-apply.js';
import { readOverlayVersions } from '../shell/read-history.js';
import { readSnapshot } from '../shell/read-snapshot.js';

// The two reading commands: everything they report comes from git (the commit's files and the
// history of its overlays with their trailers).

async function headOf(root: string, ref: string | undefined) {
  const repo = await openRepository(root);
  // What a killed command left: its interrupted commit and its temporary work tree (the reading commands clear
  // them too, so that `status` after a kill leaves a clean repository).
  const note = await recoverInterrupted(repo);
  const notes = [...(note ? [note] : []), ...(await clearStaleWorktrees(repo, alive))];
  const rev = ref ?? 'HEAD';
  if (ref !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(ref))
    throw new UsageError(`--ref ${JSON.stringify(ref)} is not a branch, tag or commit name`);
  const commit = await resolveCommit(repo.root, rev);
  if (!commit) throw new UsageError(`${rev} does not name a commit in ${repo.root}`);
  return { repo, commit, notes };
}

export async function status(
  flags: { root: string; ref?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<StatusReport & { notes: string[] }> {
  const now = readClock(env);
  const { repo, commit, notes } = await headOf(flags.root, flags.ref);
  const snapshot = await readSnapshot(repo.root, commit);
  const versions = await readOverlayVersions(repo.root, commit, 'all');
  return { ...buildStatus(snapshot, versions, now), notes };
}

export interface HistoryReport {
  service: string;
  env: string | null;
  commit: string;
  events: HistoryEvent[];
  notes: string[];
}

export async function history(flags: {
  root: string;
  service: string;
  env?: string;
  ref?: string;
}): Promise<HistoryReport> {
  const service = checkService(flags.service);
  const env = flags.env !== undefined ? checkEnvironment(flags.env, '--env') : undefined;
  const { repo, commit, notes } = await headOf(flags.root, flags.ref);
  const snapshot = await readSnapshot(repo.root, commit);
  if (env !== undefined && !snapshot.envs.has(env))
    throw new UsageError(`--env ${env}: no environment of that name (expected one of ${snapshot.order.join(', ')})`);
  const versions = await readOverlayVersions(repo.root, commit, [service], { holds: true });
  const known = [...new Set([...snapshot.envs.values()].flatMap((e) => [...e.overlays.keys()]))].sort();
  if (versions.length === 0 && !known.includes(service)) throw new UsageError(unknownService(service, known));
  return { service, env: env ?? null, commit, events: buildHistory(versions, service, env), notes };
}

/** "--service X: no such service", with the closest known name and the list. */
export function unknownService(service: string, known: readonly string[]): string {
  const near = known.length > 0 ? closest(service, known as string[]) : undefined;
  const hint =
    near !== undefined && distance(service, near) <= Math.max(2, Math.floor(service.length / 3))
      ? ` (did you mean ${near}?)`
      : '';
  return `--service ${service}: no such service, no overlay environments/<env>/values/${service}.yaml now or in history${hint}; expected one of ${known.join(', ') || '(none)'}`;
}
