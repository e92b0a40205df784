import { randomBytes } from 'node:crypto';
import { UsageError } from '@cmsweb/toolkit';
import { checkRequester } from '../core/input.js';
import type { Identity } from './build-commit.js';
import { git } from './git.js';
import { DEFAULT_LOCK_POLICY, type LockPolicy } from './git-state.js';

// What a command takes from its surroundings, injected so that tests control it:
//   GITOPS_SYNC_NOW        the clock (ISO 8601); default: the system clock
//   GITOPS_SYNC_REQUESTER  who asks ("Name <email>"); default: git config user.name <user.email>
//   GITOPS_SYNC_LOCK_WAIT  seconds to wait for another command's lock (ours 120 s, git's 30 s by default)

export interface RunContext {
  now: Date;
  requester: string;
  committer: Identity;
  author: Identity;
  operationId: string;
  /** Bounded waits for gitops-sync's own lock and git's lock files. */
  locks: { ownWaitMs: number; policy: LockPolicy };
  /** $GITOPS_SYNC_VALIDATOR: another validator than the one installed with gitops-sync. */
  validatorOverride: string | undefined;
}

export function readClock(env: NodeJS.ProcessEnv): Date {
  const raw = env.GITOPS_SYNC_NOW;
  if (raw === undefined || raw === '') return new Date();
  const d = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(d.getTime()))
    throw new UsageError(
      `GITOPS_SYNC_NOW ${JSON.stringify(raw)} is not a date: expected ISO 8601 such as 2026-11-21T10:00:00Z`,
    );
  return d;
}

/** user.name and user.email in one git call ('' when unset). */
async function identityConfig(root: string): Promise<{ name: string; email: string }> {
  let out = '';
  try {
    out = await git(root).raw(['config', '-z', '--get-regexp', '^user\\.(name|email)$']);
  } catch {
    // neither is set
  }
  const values = new Map(
    out
      .split('\0')
      .filter(Boolean)
      .map((e) => [e.slice(0, e.indexOf('\n')), e.slice(e.indexOf('\n') + 1)] as const),
  );
  return { name: values.get('user.name')?.trim() ?? '', email: values.get('user.email')?.trim() ?? '' };
}

function parseIdentity(s: string): Identity | undefined {
  const m = /^(.+?)\s*<([^<>\s]+@[^<>\s]+)>$/.exec(s.trim());
  return m ? { name: m[1]!, email: m[2]! } : undefined;
}

/** A new operation id (trailers): the time and 4 random bytes. */
export function newOperationId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}

export async function readRunContext(root: string, env: NodeJS.ProcessEnv): Promise<RunContext> {
  const now = readClock(env);
  const { name, email } = await identityConfig(root);
  const configured = name && email ? { name, email } : undefined;
  const requester = env.GITOPS_SYNC_REQUESTER
    ? checkRequester(env.GITOPS_SYNC_REQUESTER, 'GITOPS_SYNC_REQUESTER')
    : configured
      ? `${configured.name} <${configured.email}>`
      : undefined;
  if (!requester)
    throw new UsageError(
      'no requester identity: set git config user.name and user.email, or GITOPS_SYNC_REQUESTER="Name <email>"',
    );
  const committer = configured ?? parseIdentity(requester);
  if (!committer)
    throw new UsageError(
      `no git identity to commit with: set git config user.name and user.email (GITOPS_SYNC_REQUESTER ${JSON.stringify(requester)} is not "Name <email>")`,
    );
  const author = parseIdentity(requester) ?? committer;
  const locks = readLockWait(env);
  return {
    now,
    requester,
    committer,
    author,
    operationId: newOperationId(now),
    locks,
    validatorOverride: env.GITOPS_SYNC_VALIDATOR,
  };
}

function readLockWait(env: NodeJS.ProcessEnv): RunContext['locks'] {
  const raw = env.GITOPS_SYNC_LOCK_WAIT;
  if (raw === undefined || raw === '') return { ownWaitMs: 120_000, policy: DEFAULT_LOCK_POLICY };
  if (!/^\d{1,5}(\.\d{1,3})?$/.test(raw))
    throw new UsageError(
      `GITOPS_SYNC_LOCK_WAIT ${JSON.stringify(raw)} is not a number of seconds: expected such as 30 or 0.5`,
    );
  const ms = Math.round(Number(raw) * 1000);
  return { ownWaitMs: ms, policy: { ...DEFAULT_LOCK_POLICY, waitMs: ms } };
}
