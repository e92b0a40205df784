import type { Pin, Plan, PlanContext } from '../core/change-plan.js';
import { BadInput } from '../core/input.js';
import { commitTree, stageTree } from './build-commit.js';
import type { RunContext } from './context.js';
import { git, type Repository } from './git.js';
import { applyLocally, recoverInterrupted } from './local-apply.js';
import { readOverlayVersions } from './read-history.js';
import { readSnapshot } from './read-snapshot.js';
import { fastForwardLocal, fetchHead, pushCommit } from './remote.js';
import { validationGates } from './validation-gate.js';

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
  notes: string[];
}

export async function runChange(repo: Repository, spec: ChangeSpec, opts: ChangeOptions, run: RunContext): Promise<ChangeOutcome> {
  const notes: string[] = [];
  const recovered = await recoverInterrupted(repo);
  if (recovered) notes.push(recovered);
  if (!repo.branch) throw new BadInput(`HEAD is detached in ${repo.root}: check out the branch to change (gitops-sync commits on a branch)`);
  const head = (await git(repo.root).raw(['rev-parse', '--verify', 'HEAD']).catch(() => '')).trim();
  if (!head) throw new BadInput(`${repo.root} has no commits yet: expected the GitOps repository`);
  const branch = repo.branch;
  repo = { ...repo, head };
  let base = opts.push ? await fetchHead(repo, opts.remote, branch) : head;
  const races: string[] = [];
  let pins: Map<string, Pin> | undefined;
  for (let attempt = 1; ; attempt++) {
    const outcome = (status: ChangeOutcome['status'], plan: Plan, extra: Partial<ChangeOutcome> = {}): ChangeOutcome =>
      ({ status, plan, base, attempts: attempt, races, notes, ...extra });
    const ctx = await planContext(repo, base, spec, run, pins);
    const plan = spec.plan(ctx);
    pins ??= plan.pins;
    if (opts.push && attempt === 1 && !(await isAncestor(repo, head, base))) {
      return outcome('refused', plan, { reason: `local ${repo.branch} has commits that are not on ${opts.remote}/${repo.branch}: push or drop them first (gitops-sync pushes only its own commit)` });
    }
    if (plan.refused) return outcome('refused', plan);
    if (plan.files.length === 0) return outcome('up-to-date', plan);
    const dirty = await dirtyPaths(repo, plan.files.map((f) => f.path));
    if (dirty.length > 0) return outcome('refused', plan, { reason: `uncommitted changes in ${dirty.join(', ')}: commit or discard them first (gitops-sync never overwrites local edits)` });
    plan.gates.push(...(await validationGates(repo.root, base, plan, ctx.snapshot.envs.get(plan.env)?.config.promotion?.requireValidation === true)));
    plan.refused = plan.gates.some((g) => g.status === 'fail');
    if (plan.refused) return outcome('refused', plan);
    if (opts.dryRun) return outcome('dry-run', plan);

    const tree = await stageTree(repo.root, base, plan.files);
    const commit = await commitTree(repo.root, tree, base, plan.message, run.now, run.committer, run.author);
    const subject = plan.message.split('\n')[0]!;
    if (!opts.push) {
      const refusal = await applyLocally(repo, base, commit, plan.files, subject);
      return refusal ? outcome('refused', plan, { reason: refusal }) : outcome('committed', plan, { commit });
    }
    const pushed = await pushCommit(repo, opts.remote, branch, commit);
    if (pushed.status === 'pushed') {
      notes.push(await fastForwardLocal(repo, branch, commit));
      return outcome('pushed', plan, { commit });
    }
    if (pushed.status === 'refused') return outcome('refused', plan, { reason: pushed.reason });
    races.push(`attempt ${attempt}: ${pushed.reason}`);
    if (attempt >= opts.maxAttempts) {
      return outcome('refused', plan, { reason: `gave up after ${attempt} attempts: ${opts.remote}/${repo.branch} kept moving under the push (nothing was pushed)` });
    }
    await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random())));
    base = await fetchHead(repo, opts.remote, branch);
  }
}

async function planContext(repo: Repository, base: string, spec: ChangeSpec, run: RunContext, pins: Map<string, Pin> | undefined): Promise<PlanContext> {
  const snapshot = await readSnapshot(repo.root, base);
  const services = pins ? [...pins.keys()] : spec.services;
  const versions = await readOverlayVersions(repo.root, base, services);
  return { snapshot, versions, now: run.now, requester: run.requester, operationId: run.operationId, ...(pins ? { pins } : {}) };
}

async function isAncestor(repo: Repository, a: string, b: string): Promise<boolean> {
  try {
    await git(repo.root).raw(['merge-base', '--is-ancestor', a, b]);
    return true;
  } catch {
    return false;
  }
}

/** Paths with staged, unstaged or untracked changes in the work tree. */
async function dirtyPaths(repo: Repository, paths: string[]): Promise<string[]> {
  const out = await git(repo.root).raw(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ...paths]);
  return out.split('\0').filter((l) => l.length > 3).map((l) => `${l.slice(3)} (${l.slice(0, 2).trim()})`);
}
