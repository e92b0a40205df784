import { randomBytes } from 'node:crypto';
import { BadInput, checkRequester } from '../core/input.js';
import type { Identity } from './build-commit.js';
import { git } from './git.js';

// What a command takes from its surroundings, injected so that tests control it:
//   GITOPS_SYNC_NOW        the clock (ISO 8601); default: the system clock
//   GITOPS_SYNC_REQUESTER  who asks ("Name <email>"); default: git config user.name <user.email>

export interface RunContext {
  now: Date;
  requester: string;
  committer: Identity;
  author: Identity;
  operationId: string;
}

export function readClock(env: NodeJS.ProcessEnv): Date {
  const raw = env.GITOPS_SYNC_NOW;
  if (raw === undefined || raw === '') return new Date();
  const d = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(d.getTime())) throw new BadInput(`GITOPS_SYNC_NOW ${JSON.stringify(raw)} is not a date: expected ISO 8601 such as 2026-11-21T10:00:00Z`);
  return d;
}

async function config(root: string, key: string): Promise<string> {
  try {
    return (await git(root).raw(['config', '--get', key])).trim();
  } catch {
    return '';
  }
}

function parseIdentity(s: string): Identity | undefined {
  const m = /^(.+?)\s*<([^<>\s]+@[^<>\s]+)>$/.exec(s.trim());
  return m ? { name: m[1]!, email: m[2]! } : undefined;
}

export async function readRunContext(root: string, env: NodeJS.ProcessEnv): Promise<RunContext> {
  const now = readClock(env);
  const name = await config(root, 'user.name');
  const email = await config(root, 'user.email');
  const configured = name && email ? { name, email } : undefined;
  const requester = env.GITOPS_SYNC_REQUESTER
    ? checkRequester(env.GITOPS_SYNC_REQUESTER, 'GITOPS_SYNC_REQUESTER')
    : configured ? `${configured.name} <${configured.email}>` : undefined;
  if (!requester) throw new BadInput('no requester identity: set git config user.name and user.email, or GITOPS_SYNC_REQUESTER="Name <email>"');
  const committer = configured ?? parseIdentity(requester);
  if (!committer) throw new BadInput(`no git identity to commit with: set git config user.name and user.email (GITOPS_SYNC_REQUESTER ${JSON.stringify(requester)} is not "Name <email>")`);
  const author = parseIdentity(requester) ?? committer;
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return { now, requester, committer, author, operationId: `${stamp}-${randomBytes(4).toString('hex')}` };
}
