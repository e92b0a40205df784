import type { Pin, Plan, PlanContext } from '../core/change-plan.js';
import { UsageError } from '@cmsweb/toolkit';
import {
  clearStaleWorktrees,
  commitHooks,
  commitThroughGit,
  commitTree,
  type CommitHooks,
  stageTree,
  baseIndex,
} from './build-commit.js';
import type { RunContext } from './context.js';
import { git, type Repository } from './git.js';
import { alive, applyLocally, recoverInterrupted, recoverLocked, withLock } from './local-apply.js';
import { awaitGitLocks, gitLockFiles, Refused, refuseInProgress } from './git-state.js';
import type { OverlayVersion } from '../core/model.js';
import { readOverlayVersions } from './read-history.js';
import { readSnapshot } from './read-snapshot.js';
import { fastForwardLocal, fetchHead, pushCommit } from './remote.js';
import { validateServices, validationGates } from './validation-gate.js';

// The imperative shell around the pure planners: read a snapshot → plan → check the work tree →
// validate → commit (plumbing) → move the branch locally, or push; on a lost push race fetch the new
// head and re-apply the same change there (same pins: compare-and-swap against what the first
// attempt replaced), with backoff, a bounded number of times. Never a rebase, never a force-push.

export interface ChangeSpec {
  /** Services whose overlay history the planner needs. */
  services: string[] | 'all';
  plan(ctx: PlanContext): Plan;
}

export interface ChangeOptions {
  dryRun: boolean;
  push: boolean;
  remote: string;
  maxAttempts: number;
  /** With --push: also push the local branch's commits that the remote lacks (fast-forward only). */
  includeLocalCommits?: boolean;
}

export interface ChangeOutcome {
  status: 'committed' | 'pushed' | 'up-to-date' | 'dry-run' | 'refused';
  plan: Plan;
  base: string;
  commit?: string;
  /** Why the change was refused when no gate says it (dirty work tree, lost races, remote refusal). */
  reason?: string;
  attempts: number;
  /** One line per lost push race. */
  races: string[];
  /** Refused because the remote kept moving until the retry bound: nothing is wrong with the change itself. */
  gaveUp?: boolean;
  notes: string[];
}

/**
 * Runs one change. Before anything is written: no merge/rebase/cherry-pick/revert/bisect in
 * progress, the gitops-sync lock held for the whole command (a second command in the same clone
 * waits, bounded), and none of git's lock files present (waited for, bounded; a stale one is
 * explained, never removed). A dry run takes no lock and writes nothing.
 */
export async function runChange(
  repo: Repository,
  spec: ChangeSpec,
  opts: ChangeOptions,
  run: RunContext,
): Promise<ChangeOutcome> {
  refuseInProgress(repo);
  if (!repo.branch)
    throw new UsageError(
      `HEAD is detached in ${repo.root}: check out the branch to change (gitops-sync commits on a branch)`,
    );
  if (opts.dryRun) {
    const note = await recoverInterrupted(repo);
    return change(repo, spec, opts, run, note ? [note] : []);
  }
  return withLock(
    repo,
    async () => {
      await awaitGitLocks(gitLockFiles(repo, repo.branch!), run.locks.policy);
      const notes = await clearStaleWorktrees(repo, alive);
      const recovered = await recoverLocked(repo);
      if (recovered) notes.push(recovered);
      return change(repo, spec, opts, run, notes);
    },
    run.locks.ownWaitMs,
  );
}

export interface BatchItem {
  spec: ChangeSpec;
  run: RunContext;
}

/**
 * Runs several changes as one push (`gitops-sync serve`): under one lock and after one fetch, each change
 * in order goes through `prepare` (the plan, its gates and compare-and-swap, the validation gate, its own
 * commit with its trailers) on the head built so far, so the history keeps one commit per change; then
 * the last commit is pushed once, never forced. A change refused on its turn gets its own refused outcome
 * and is left out; the others still land. A lost push race re-plans every change not refused on the new
 * head (each with the pins of its first plan); after `maxAttempts` each is refused with `gaveUp`. Only
 * with `push` (the branch moves by the push and a fast-forward, as in `bump --push`).
 */
export async function runChanges(
  repo: Repository,
  items: readonly BatchItem[],
  opts: ChangeOptions,
): Promise<ChangeOutcome[]> {
  if (!opts.push || opts.dryRun) throw new Error('runChanges pushes: it needs push and no dry run');
  if (items.length === 0) return [];
  refuseInProgress(repo);
  if (!repo.branch)
    throw new UsageError(
      `HEAD is detached in ${repo.root}: check out the branch to change (gitops-sync commits on a branch)`,
    );
  const locks = items[0]!.run.locks;
  return withLock(
    repo,
    async () => {
      await awaitGitLocks(gitLockFiles(repo, repo.branch!), locks.policy);
      const notes = await clearStaleWorktrees(repo, alive);
      const recovered = await recoverLocked(repo);
      if (recovered) notes.push(recovered);
      return changeBatch(repo, items, opts, notes);
    },
    locks.ownWaitMs,
  );
}

async function changeBatch(
  repo: Repository,
  items: readonly BatchItem[],
  opts: ChangeOptions,
  notes: string[],
): Promise<ChangeOutcome[]> {
  const { head, branch, pushBase, hooks } = await begin(repo, opts, notes);
  repo = { ...repo, head };
  let base = await pushBase();
  const races: string[] = [];
  const pins: (Map<string, Pin> | undefined)[] = items.map(() => undefined);
  const done: (ChangeOutcome | undefined)[] = items.map(() => undefined);
  for (let attempt = 1; ; ) {
    const outcome = (
      status: ChangeOutcome['status'],
      plan: Plan,
      at: string,
      extra: Partial<ChangeOutcome> = {},
    ): ChangeOutcome => ({ status, plan, base: at, attempts: attempt, races, notes, ...extra });
    // Built on the head so far: each change sees the ones before it, as sequential commands would.
    let tip = base;
    const landing: Landing[] = [];
    const history = batchHistory(
      repo.root,
      base,
      items.flatMap((it, i) => (done[i] ? [] : pins[i] ? [...pins[i]!.keys()] : it.spec.services)),
    );
    for (const [i, item] of items.entries()) {
      if (done[i]) continue;
      const made = await prepare(repo, tip, item.spec, item.run, pins[i], opts, hooks, notes, attempt === 1, {
        history,
      });
      pins[i] ??= made.plan.pins;
      if (made.status === 'commit') {
        landing.push({ i, plan: made.plan, at: tip, commit: made.commit, validation: made.validation });
        tip = made.commit;
      } else if (made.status === 'up-to-date') landing.push({ i, plan: made.plan, at: tip, validation: false });
      else done[i] = outcome('refused', made.plan, tip, made.reason ? { reason: made.reason } : {});
    }
    const failed = await validateBatch(repo.root, tip, landing, items);
    if (failed.length > 0) {
      // Left out, each with its own refusal; the rest is built again without them (not a push attempt).
      for (const l of failed) {
        done[l.i] = outcome('refused', l.plan, l.at);
        const touched = new Set(l.plan.changes.map((c) => c.service));
        // A later change pinned what the refused one would have written: it pins again on the rebuilt head.
        for (let j = l.i + 1; j < items.length; j++)
          if ([...(pins[j]?.keys() ?? [])].some((s) => touched.has(s))) pins[j] = undefined;
      }
      continue;
    }
    const settle = (f: (l: Landing) => ChangeOutcome) => {
      for (const l of landing) done[l.i] = f(l);
      return done as ChangeOutcome[];
    };
    if (tip === base) return settle((l) => outcome('up-to-date', l.plan, l.at));
    const pushed = await pushCommit(repo, opts.remote, branch, tip);
    if (pushed.status === 'pushed') {
      notes.push(await fastForwardLocal(repo, branch, tip));
      return settle((l) =>
        l.commit ? outcome('pushed', l.plan, l.at, { commit: l.commit }) : outcome('up-to-date', l.plan, l.at),
      );
    }
    if (pushed.status === 'refused') return settle((l) => outcome('refused', l.plan, l.at, { reason: pushed.reason }));
    races.push(`attempt ${attempt}: ${pushed.reason}`);
    if (attempt >= opts.maxAttempts)
      return settle((l) => outcome('refused', l.plan, l.at, { reason: gaveUp(attempt, opts, branch), gaveUp: true }));
    await backoff(attempt);
    base = await pushBase();
    attempt++;
  }
}

/** The overlay versions of `services` at `commit` (newest first), as readOverlayVersions reads them. */
type History = (commit: string, services: readonly string[] | 'all') => Promise<OverlayVersion[]>;

const readHistory =
  (root: string): History =>
  (commit, services) =>
    readOverlayVersions(root, commit, services);

/**
 * The history a batch's changes read: the versions at the batch's base, read once for the services of all
 * its changes, under the versions of the batch's own commits above it (base..commit, linear). The same
 * records readOverlayVersions gives at `commit`, without walking the whole history once per change.
 */
export function batchHistory(root: string, base: string, services: (string | 'all')[]): History {
  if (services.includes('all')) return readHistory(root);
  const known = new Set(services);
  let atBase: Promise<OverlayVersion[]> | undefined;
  return async (commit, wanted) => {
    if (wanted === 'all' || wanted.some((s) => !known.has(s))) return readOverlayVersions(root, commit, wanted);
    atBase ??= readOverlayVersions(root, base, [...known]);
    const newer = commit === base ? [] : await readOverlayVersions(root, `${base}..${commit}`, wanted);
    const mine = new Set(wanted);
    return [...newer, ...(await atBase).filter((v) => mine.has(v.service))];
  };
}

interface Landing {
  i: number;
  plan: Plan;
  /** The head the change was built on. */
  at: string;
  commit?: string;
  /** The environment requires the validation gate. */
  validation: boolean;
}

/**
 * The validation gate of a batch, on exactly the trees its commits hold: a change whose services' overlays
 * are, at the batch's last commit `tip`, the ones it wrote (no later change of the batch touches them) is
 * validated there, all such changes of one environment in one validator run (as `promote --all` validates
 * its services in one run); a change that a later one overwrote is validated on its own commit's tree.
 * Adds each change's gate results to its plan; returns the changes that failed.
 */
async function validateBatch(
  root: string,
  tip: string,
  landing: readonly Landing[],
  items: readonly BatchItem[],
): Promise<Landing[]> {
  const made = landing.filter((l) => l.commit);
  const last = new Map<string, Landing>();
  for (const l of made) for (const c of l.plan.changes) last.set(`${l.plan.env}/${c.service}`, l);
  const groups = new Map<string, Landing[]>();
  for (const l of made) {
    const override = items[l.i]!.run.validatorOverride;
    if (!l.validation || l.plan.changes.some((c) => last.get(`${l.plan.env}/${c.service}`) !== l)) {
      l.plan.gates.push(...(await validationGates(root, l.at, l.plan, l.validation, override)));
      continue;
    }
    const key = `${l.plan.env}\0${override ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), l]);
  }
  for (const group of groups.values()) {
    const services = group.flatMap((l) => l.plan.changes.map((c) => c.service));
    const { env } = group[0]!.plan;
    const results = await validateServices(
      root,
      tip,
      [],
      env,
      services,
      true,
      items[group[0]!.i]!.run.validatorOverride,
    );
    for (const l of group) {
      const mine = new Set(l.plan.changes.map((c) => c.service));
      const own = results.filter((r) => r.service === null || mine.has(r.service));
      // A failure in a shared run (one change may make the validator fail as a whole) is decided again
      // by the change's own run, so that one bad change does not refuse the others.
      l.plan.gates.push(
        ...(group.length > 1 && own.some((r) => r.status === 'fail')
          ? await validationGates(root, l.at, l.plan, true, items[l.i]!.run.validatorOverride)
          : own),
      );
    }
  }
  const failed: Landing[] = [];
  for (const l of made) {
    l.plan.refused = l.plan.gates.some((g) => g.status === 'fail');
    if (l.plan.refused) failed.push(l);
  }
  return failed;
}

async function change(
  repo: Repository,
  spec: ChangeSpec,
  opts: ChangeOptions,
  run: RunContext,
  notes: string[],
): Promise<ChangeOutcome> {
  const { head, branch, pushBase, hooks } = await begin(repo, opts, notes);
  repo = { ...repo, head };
  let base = opts.push ? await pushBase() : head;
  const races: string[] = [];
  let pins: Map<string, Pin> | undefined;
  for (let attempt = 1; ; attempt++) {
    const outcome = (
      status: ChangeOutcome['status'],
      plan: Plan,
      extra: Partial<ChangeOutcome> = {},
    ): ChangeOutcome => ({ status, plan, base, attempts: attempt, races, notes, ...extra });
    const made = await prepare(repo, base, spec, run, pins, opts, hooks, notes, attempt === 1);
    pins ??= made.plan.pins;
    if (made.status !== 'commit') return outcome(made.status, made.plan, made.reason ? { reason: made.reason } : {});
    const { plan, commit } = made;
    const subject = plan.message.split('\n')[0]!;
    if (!opts.push) {
      const applied = await applyLocally(repo, base, commit, plan.files, subject, run.locks.policy);
      if (applied.note) notes.push(applied.note);
      return applied.refusal
        ? outcome('refused', plan, { reason: applied.refusal })
        : outcome('committed', plan, { commit });
    }
    const pushed = await pushCommit(repo, opts.remote, branch, commit);
    if (pushed.status === 'pushed') {
      notes.push(await fastForwardLocal(repo, branch, commit));
      return outcome('pushed', plan, { commit });
    }
    if (pushed.status === 'refused') return outcome('refused', plan, { reason: pushed.reason });
    races.push(`attempt ${attempt}: ${pushed.reason}`);
    if (attempt >= opts.maxAttempts)
      return outcome('refused', plan, { reason: gaveUp(attempt, opts, branch), gaveUp: true });
    await backoff(attempt);
    base = await pushBase();
  }
}

/** Reads the local head and the commit hooks; `pushBase` fetches the remote's head to build on. */
async function begin(
  repo: Repository,
  opts: ChangeOptions,
  notes: string[],
): Promise<{ head: string; branch: string; pushBase: () => Promise<string>; hooks: CommitHooks | undefined }> {
  // HEAD (read again now that the lock is held) and where git looks for hooks, in one git process.
  const [hooksPath = '', head = ''] = (
    await git(repo.root)
      .raw(['rev-parse', '--git-path', 'hooks', '--verify', 'HEAD'])
      .catch(() => '')
  )
    .trim()
    .split('\n');
  if (!head) throw new UsageError(`${repo.root} has no commits yet: expected the GitOps repository`);
  const branch = repo.branch!;
  const at = { ...repo, head };
  const pushBase = async (): Promise<string> => {
    const remoteHead = await fetchHead(at, opts.remote, branch);
    return (await localCommitsBase(at, head, remoteHead, opts)) ?? remoteHead;
  };
  const hooks = opts.dryRun ? undefined : commitHooks(repo.root, hooksPath);
  if (hooks && hooks.ignored.length > 0)
    notes.push(
      `hook${hooks.ignored.length > 1 ? 's' : ''} ${hooks.ignored.join(', ')} in ${hooks.dir} ${hooks.ignored.length > 1 ? 'are' : 'is'} not executable: git ignores ${hooks.ignored.length > 1 ? 'them' : 'it'}, and so did gitops-sync`,
    );
  return { head, branch, pushBase, hooks };
}

const gaveUp = (attempt: number, opts: ChangeOptions, branch: string) =>
  `gave up after ${attempt} attempts: ${opts.remote}/${branch} kept moving under the push (nothing was pushed)`;

const backoff = (attempt: number) =>
  new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random())));

type Prepared =
  | { status: 'refused' | 'up-to-date' | 'dry-run'; plan: Plan; reason?: string }
  | { status: 'commit'; plan: Plan; commit: string; validation: boolean };

/**
 * One change on `base`, up to its commit object (no ref moves): plan (with the pins of the first attempt:
 * compare-and-swap), gates, clean work tree, validation gate, then the commit (plumbing, or `git commit`
 * when the repository has commit hooks). Shared by a single change and a batch.
 */
async function prepare(
  repo: Repository,
  base: string,
  spec: ChangeSpec,
  run: RunContext,
  pins: Map<string, Pin> | undefined,
  opts: ChangeOptions,
  hooks: CommitHooks | undefined,
  notes: string[],
  first: boolean,
  batch?: { history: History },
): Promise<Prepared> {
  const ctx = await planContext(repo, base, spec, run, pins, batch?.history);
  const plan = spec.plan(ctx);
  if (plan.refused) return { status: 'refused', plan };
  if (plan.files.length === 0) return { status: 'up-to-date', plan };
  const dirty = await dirtyPaths(
    repo,
    plan.files.map((f) => f.path),
  );
  if (dirty.length > 0)
    return {
      status: 'refused',
      plan,
      reason: `uncommitted changes in ${dirty.join(', ')}: commit or discard them first (gitops-sync never overwrites local edits)`,
    };
  const validation = ctx.snapshot.envs.get(plan.env)?.config.promotion?.requireValidation === true;
  // base's tree read into a private index once, for the validation tree and for the commit.
  const index = baseIndex(repo.root, base);
  try {
    if (!batch) {
      plan.gates.push(...(await validationGates(repo.root, base, plan, validation, run.validatorOverride, index)));
      plan.refused = plan.gates.some((g) => g.status === 'fail');
      if (plan.refused) return { status: 'refused', plan };
    }
    if (opts.dryRun || !hooks) return { status: 'dry-run', plan };

    const tree = await stageTree(repo.root, base, plan.files, index);
    if (hooks.run.length === 0)
      return {
        status: 'commit',
        plan,
        commit: await commitTree(repo.root, tree, base, plan.message, run.now, run.committer, run.author),
        validation,
      };
    const made = await commitThroughGit(
      repo.root,
      hooks.dir,
      base,
      tree,
      plan.files,
      plan.message,
      run.now,
      run.committer,
      run.author,
    );
    if ('refusal' in made) return { status: 'refused', plan, reason: made.refusal };
    if (first)
      notes.push(
        `committed through git commit: the repository's ${hooks.run.join(', ')} hook${hooks.run.length > 1 ? 's' : ''} ran`,
      );
    return { status: 'commit', plan, commit: made.commit, validation };
  } finally {
    index.dispose();
  }
}

/**
 * With --push, the local branch must not hold commits the remote lacks: they would be left out
 * silently (or, pushed, go unreviewed). Refused, naming them, unless --include-local-commits; then
 * the change is built on the local head, which must fast-forward the remote. Returns the base to
 * build on when it is the local head, undefined when it is the remote's head.
 */
async function localCommitsBase(
  repo: Repository,
  head: string,
  remoteHead: string,
  opts: ChangeOptions,
): Promise<string | undefined> {
  // At the remote's head (the usual case) there is nothing to list: no git process for it.
  const log =
    head === remoteHead ? '' : (await git(repo.root).raw(['log', '--format=%h %s', `${remoteHead}..${head}`])).trim();
  if (log === '') return undefined;
  const commits = log.split('\n');
  const tracking = `${opts.remote}/${repo.branch}`;
  const listed = commits.slice(0, 10).join('; ') + (commits.length > 10 ? `; and ${commits.length - 10} more` : '');
  const count = `${commits.length} commit${commits.length > 1 ? 's' : ''}`;
  if (!opts.includeLocalCommits) {
    throw new Refused(
      `local ${repo.branch} has ${count} that ${tracking} lacks (${listed}): gitops-sync pushes only its own commit. Push them first (git push), drop them, or pass --include-local-commits to push them with this change; nothing was changed`,
    );
  }
  if ((await git(repo.root).raw(['rev-list', '--count', `${head}..${remoteHead}`])).trim() !== '0') {
    throw new Refused(
      `local ${repo.branch} and ${tracking} have diverged (local has ${count}: ${listed}): --include-local-commits pushes only a fast-forward; run git pull --rebase first; nothing was changed`,
    );
  }
  return head;
}

async function planContext(
  repo: Repository,
  base: string,
  spec: ChangeSpec,
  run: RunContext,
  pins: Map<string, Pin> | undefined,
  history?: History,
): Promise<PlanContext> {
  const snapshot = await readSnapshot(repo.root, base);
  const services = pins ? [...pins.keys()] : spec.services;
  const versions = await (history ?? readHistory(repo.root))(base, services);
  return {
    snapshot,
    versions,
    now: run.now,
    requester: run.requester,
    operationId: run.operationId,
    ...(pins ? { pins } : {}),
  };
}

/** Paths with staged, unstaged or untracked changes in the work tree. */
async function dirtyPaths(repo: Repository, paths: string[]): Promise<string[]> {
  const out = await git(repo.root).raw(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ...paths]);
  return out
    .split('\0')
    .filter((l) => l.length > 3)
    .map((l) => `${l.slice(3)} (${l.slice(0, 2).trim()})`);
}
