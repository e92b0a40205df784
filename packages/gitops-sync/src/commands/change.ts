import { UsageError } from '@cmsweb/toolkit';
import { checkDigest, checkEnvironment, checkReason, checkService, checkServices, checkTag } from '../core/input.js';
import { planBump, planPromotion, type PromoteRequest } from '../core/promotion-plan.js';
import { planRelease, planRollback } from '../core/rollback-plan.js';
import { newOperationId, readRunContext, type RunContext } from '../shell/context.js';
import { openRepository } from '../shell/git.js';
import {
  type BatchItem,
  runChange,
  runChanges,
  type ChangeOptions,
  type ChangeOutcome,
  type ChangeSpec,
} from '../shell/run-change.js';

// The four commands that change the repository. Each checks its input strictly first, then hands a
// pure planner to the shell that reads, validates, commits and pushes.

export interface ChangeFlags {
  root: string;
  push?: boolean;
  dryRun?: boolean;
  remote?: string;
  includeLocalCommits?: boolean;
}

export type ChangeCommand = 'bump' | 'promote' | 'rollback' | 'release';

export interface ChangeReport {
  command: ChangeCommand;
  outcome: ChangeOutcome;
}

const MAX_ATTEMPTS = 20;

function checkRemote(remote: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(remote))
    throw new UsageError(
      `--remote ${JSON.stringify(remote)} is not a remote name: expected letters, digits, ".", "_" and "-"`,
    );
  return remote;
}

async function execute(
  command: ChangeCommand,
  flags: ChangeFlags,
  spec: ChangeSpec,
  env: NodeJS.ProcessEnv,
): Promise<ChangeReport> {
  const remote = flags.remote ?? 'origin';
  if (flags.includeLocalCommits && !flags.push) throw new UsageError('--include-local-commits goes with --push');
  checkRemote(remote);
  const repo = await openRepository(flags.root);
  const run = await readRunContext(repo.root, env);
  const opts: ChangeOptions = {
    dryRun: !!flags.dryRun,
    push: !!flags.push,
    remote,
    maxAttempts: MAX_ATTEMPTS,
    includeLocalCommits: !!flags.includeLocalCommits,
  };
  return { command, outcome: await runChange(repo, spec, opts, run) };
}

export interface BumpFlags {
  service: string;
  env: string;
  tag: string;
  digest?: string;
  expectTag?: string;
}

/** The checked input of a bump, as the pure planner's change spec. */
function bumpSpec(flags: BumpFlags): ChangeSpec {
  const req = {
    service: checkService(flags.service),
    env: checkEnvironment(flags.env, '--env'),
    tag: checkTag(flags.tag),
    digest: flags.digest === undefined ? null : checkDigest(flags.digest),
    ...(flags.expectTag !== undefined ? { expectTag: checkTag(flags.expectTag, '--expect-tag') } : {}),
  };
  return { services: [req.service], plan: (ctx) => planBump(req, ctx) };
}

export function bump(flags: ChangeFlags & BumpFlags, env: NodeJS.ProcessEnv = process.env): Promise<ChangeReport> {
  return execute('bump', flags, bumpSpec(flags), env);
}

/** One bump of a batch: its report, or the error it alone met (bad input). */
export type BatchResult = { report: ChangeReport } | { error: unknown };

/**
 * Several `bump --push` as one push (runChanges): each bump with its own requester (GITOPS_SYNC_REQUESTER)
 * is checked, planned, gated and committed as `bump` would; one fetch and one push for all. An error that
 * is the batch's (the lock, the remote) is thrown.
 */
export async function bumpBatch(
  flags: { root: string; remote?: string },
  bumps: readonly (BumpFlags & { requester: string })[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<BatchResult[]> {
  const remote = checkRemote(flags.remote ?? 'origin');
  const repo = await openRepository(flags.root);
  const results: (BatchResult | undefined)[] = [];
  const items: BatchItem[] = [];
  const slots: number[] = [];
  // One context per requester (git's identity is read once), a new operation id per bump.
  const contexts = new Map<string, Promise<RunContext>>();
  for (const [i, b] of bumps.entries()) {
    try {
      const spec = bumpSpec(b);
      if (!contexts.has(b.requester))
        contexts.set(b.requester, readRunContext(repo.root, { ...env, GITOPS_SYNC_REQUESTER: b.requester }));
      const run = await contexts.get(b.requester)!;
      items.push({ spec, run: { ...run, operationId: newOperationId(run.now) } });
      slots.push(i);
      results.push(undefined);
    } catch (e) {
      results.push({ error: e });
    }
  }
  const outcomes = await runChanges(repo, items, {
    dryRun: false,
    push: true,
    remote,
    maxAttempts: MAX_ATTEMPTS,
    includeLocalCommits: false,
  });
  for (const [k, i] of slots.entries()) results[i] = { report: { command: 'bump', outcome: outcomes[k]! } };
  return results as BatchResult[];
}

export function promote(
  flags: ChangeFlags & {
    service?: string;
    all?: boolean;
    except?: string;
    from: string;
    to: string;
    tag?: string;
    expectTag?: string;
    breakGlass?: boolean;
    reason?: string;
  },
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChangeReport> {
  if (!!flags.service === !!flags.all)
    throw new UsageError('promote needs either --service S[,S2...] or --all (not both)');
  if (flags.except !== undefined && !flags.all) throw new UsageError('--except goes with --all');
  if (flags.breakGlass && flags.reason === undefined)
    throw new UsageError('--break-glass needs --reason TEXT: the override is recorded in the commit');
  if (!flags.breakGlass && flags.reason !== undefined) throw new UsageError('--reason goes with --break-glass');
  const req: PromoteRequest = {
    services: flags.all ? 'all' : checkServices(flags.service!),
    except: flags.except !== undefined ? checkServices(flags.except, '--except') : [],
    from: checkEnvironment(flags.from, '--from'),
    to: checkEnvironment(flags.to, '--to'),
    ...(flags.tag !== undefined ? { tag: checkTag(flags.tag) } : {}),
    ...(flags.expectTag !== undefined ? { expectTag: checkTag(flags.expectTag, '--expect-tag') } : {}),
    ...(flags.breakGlass ? { breakGlass: checkReason(flags.reason!) } : {}),
  };
  if (req.expectTag !== undefined && (req.services === 'all' || req.services.length !== 1))
    throw new UsageError('--expect-tag names the current tag of one service: use it with a single --service');
  return execute(
    'promote',
    flags,
    {
      services: req.services,
      plan: (ctx) => planPromotion(ctx.pins ? { ...req, services: [...ctx.pins.keys()] } : req, ctx),
    },
    env,
  );
}

export function rollback(
  flags: ChangeFlags & { service: string; env: string; to?: string; reason?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChangeReport> {
  const req = {
    service: checkService(flags.service),
    env: checkEnvironment(flags.env, '--env'),
    ...(flags.to !== undefined ? { to: checkTag(flags.to, '--to') } : {}),
    ...(flags.reason !== undefined ? { reason: checkReason(flags.reason) } : {}),
  };
  return execute('rollback', flags, { services: [req.service], plan: (ctx) => planRollback(req, ctx) }, env);
}

export function release(
  flags: ChangeFlags & { service: string; env: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChangeReport> {
  const req = { service: checkService(flags.service), env: checkEnvironment(flags.env, '--env') };
  return execute('release', flags, { services: [req.service], plan: (ctx) => planRelease(req, ctx) }, env);
}
