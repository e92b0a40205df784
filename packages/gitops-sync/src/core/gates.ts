import { compileUserPattern, durationMs } from '@cmsweb/catalog';
import type { EnvironmentState, Image, OverlayVersion } from './model.js';
import { sameImage, showImage } from './model.js';
import { formatDuration, soakStart } from './soak.js';

// The gates, declared as data: which commands they apply to, whether --break-glass may override
// them, and a pure check. `validation` is listed too; its result comes from the validator process.

export type GateId =
  | 'overlay'
  | 'order'
  | 'source'
  | 'digest'
  | 'soak'
  | 'tag-policy'
  | 'freeze'
  | 'hold'
  | 'compare-and-swap'
  | 'history'
  | 'validation';
export type GateStatus = 'pass' | 'fail' | 'skipped' | 'overridden';
export type ChangeKind = 'bump' | 'promote' | 'rollback' | 'release';

export interface GateResult {
  gate: GateId;
  service: string | null;
  status: GateStatus;
  message: string;
}

export interface GateContext {
  kind: ChangeKind;
  service: string;
  to: EnvironmentState;
  from?: EnvironmentState;
  /** What the target runs now, and what it would run after the change. */
  current: Image;
  next: Image;
  /** What the source runs now (promotions). */
  source?: Image;
  /** What the caller (or the first attempt of this command) expects to find. */
  expectSource?: Image;
  expectTarget?: Image;
  /** This service's overlay versions in every environment, newest first. */
  versions: readonly OverlayVersion[];
  now: Date;
  breakGlass?: string;
}

interface Outcome {
  status: 'pass' | 'fail' | 'skipped';
  message: string;
}

export interface GateDefinition {
  id: GateId;
  description: string;
  appliesTo: readonly ChangeKind[];
  overridable: boolean;
  check(ctx: GateContext): Outcome;
}

const pass = (message: string): Outcome => ({ status: 'pass', message });
const fail = (message: string): Outcome => ({ status: 'fail', message });
const skipped = (message: string): Outcome => ({ status: 'skipped', message });
const short = (sha: string) => sha.slice(0, 10);

export const GATES: readonly GateDefinition[] = [
  {
    id: 'order',
    description: 'the target takes tags only from the environment it promotes from',
    appliesTo: ['bump', 'promote'],
    overridable: false,
    check: ({ kind, to, from }) => {
      const upstream = to.config.promotesFrom;
      if (kind === 'bump') {
        return upstream === null
          ? pass(`${to.name} is the testbed; it takes bumps`)
          : fail(`${to.name} takes its tags from ${upstream}, not from bumps: bump the testbed and promote`);
      }
      if (upstream === from!.name) return pass(`${to.name} promotes from ${from!.name}`);
      return fail(
        upstream === null
          ? `${to.name} is the testbed and promotes from nowhere: use bump`
          : `${to.name} promotes from ${upstream}, not from ${from!.name}: promote ${from!.name} → ${upstream} first, then ${upstream} → ${to.name}`,
      );
    },
  },
  {
    id: 'source',
    description: 'the tag (and digest) is what the source environment runs now',
    appliesTo: ['promote'],
    overridable: false,
    check: ({ from, source, expectSource }) => {
      if (!source || source.tag === null)
        return fail(`${from!.name} runs no image.tag for this service: nothing to promote`);
      if (expectSource && !sameImage(source, expectSource))
        return fail(
          `${from!.name} runs ${showImage(source)} now, expected ${showImage(expectSource)}: the source changed, nothing was promoted`,
        );
      return pass(`${from!.name} runs ${showImage(source)}`);
    },
  },
  {
    id: 'digest',
    description: 'a tag carries one image: a tag re-pushed with a new digest is refused',
    appliesTo: ['promote'],
    overridable: false,
    check: ({ source, versions }) => {
      if (!source?.digest) return skipped('the source pins no digest');
      const clash = versions.find(
        (v) => v.image?.tag === source.tag && v.image.digest !== null && v.image.digest !== source.digest,
      );
      if (clash)
        return fail(
          `tag ${source.tag} was recorded with digest ${clash.image!.digest} in ${clash.env} (commit ${short(clash.commit)}, ${clash.date}); the source now has ${source.digest}: the tag was re-pushed with another image`,
        );
      return pass(`${source.tag} has carried ${source.digest.slice(0, 19)}… everywhere it ran`);
    },
  },
  {
    id: 'soak',
    description: 'the tag ran in the source environment at least the configured time',
    appliesTo: ['promote'],
    overridable: true,
    check: ({ to, from, source, versions, now }) => {
      const soak = to.config.promotion?.soak;
      if (!soak) return skipped(`${to.name} configures no soak time`);
      if (!source || source.tag === null) return fail(`${from!.name} runs no tag to soak`);
      const start = soakStart(versions, from!.name, source);
      if (!start)
        return fail(
          `git history has no commit that set ${showImage(source)} in ${from!.name}; ${to.name} requires ${soak} of soak`,
        );
      const ran = now.getTime() - new Date(start.date).getTime();
      const need = durationMs(soak);
      const since = `since ${start.date}, commit ${short(start.commit)}`;
      return ran >= need
        ? pass(`${source.tag} ran ${formatDuration(ran)} in ${from!.name} (${since}); ${to.name} requires ${soak}`)
        : fail(
            `${source.tag} has run ${formatDuration(ran)} in ${from!.name} (${since}); ${to.name} requires ${soak}, ${formatDuration(need - ran)} to go`,
          );
    },
  },
  {
    id: 'tag-policy',
    description: "the new tag matches the target's tag policy (or a digest pins it)",
    appliesTo: ['bump', 'promote', 'rollback'],
    overridable: false,
    check: ({ to, next }) => {
      const policy = to.config.promotion?.tagPolicy;
      if (!policy) return skipped(`${to.name} configures no tag policy`);
      // RE2 (linear time): a policy such as ^(a|aa)+$ cannot hang a bump on a long tag.
      if (next.tag !== null && matchesPolicy(policy.pattern, next.tag))
        return pass(`${next.tag} matches ${to.name}'s policy (${policy.description})`);
      if (policy.allowDigest && next.digest)
        return pass(`${next.tag} is pinned by digest, which ${to.name}'s policy accepts`);
      return fail(
        `tag ${JSON.stringify(next.tag)} does not match ${to.name}'s tag policy (${policy.description})${policy.allowDigest ? ' and pins no digest' : ''}`,
      );
    },
  },
  {
    id: 'freeze',
    description: 'the target is not frozen (switch or window)',
    appliesTo: ['bump', 'promote'],
    overridable: true,
    check: ({ to, now }) => {
      const freeze = to.config.promotion?.freeze;
      if (freeze?.enabled) return fail(`${to.name} is frozen${freeze.reason ? ` (${freeze.reason})` : ''}`);
      const window = freeze?.windows?.find((w) => now >= new Date(w.start) && now < new Date(w.end));
      if (window)
        return fail(
          `${to.name} is in the freeze window ${window.start} – ${window.end}${window.reason ? ` (${window.reason})` : ''}`,
        );
      return pass(`${to.name} is not frozen`);
    },
  },
  {
    id: 'hold',
    description: 'no rollback hold on the service in the target',
    appliesTo: ['bump', 'promote'],
    overridable: false,
    check: ({ to, service }) => {
      const h = to.holds.get(service);
      if (!h) return pass(`no hold on ${service} in ${to.name}`);
      return fail(
        `${service} is held in ${to.name} since ${h.since} (rolled back from ${h.rolledBackFrom} to ${h.tag} by ${h.by}${h.reason ? `: ${h.reason}` : ''}); lift it with: gitops-sync release --service ${service} --env ${to.name}`,
      );
    },
  },
  {
    id: 'compare-and-swap',
    description: 'the target still holds the value this change replaces',
    appliesTo: ['bump', 'promote', 'rollback'],
    overridable: false,
    check: ({ to, current, expectTarget }) => {
      if (!expectTarget) return pass(`${to.name} runs ${showImage(current)}`);
      if (!sameImage(current, expectTarget))
        return fail(
          `${to.name} runs ${showImage(current)} now, expected ${showImage(expectTarget)}: it changed since this change was planned; refusing instead of overwriting`,
        );
      return pass(`${to.name} still runs ${showImage(current)}`);
    },
  },
];

/** Pure: every gate that applies to the change, in declaration order, with break-glass applied. */
export function evaluateGates(ctx: GateContext): GateResult[] {
  return GATES.filter((g) => g.appliesTo.includes(ctx.kind)).map((g) => {
    const o = g.check(ctx);
    if (o.status === 'fail' && g.overridable && ctx.breakGlass) {
      return {
        gate: g.id,
        service: ctx.service,
        status: 'overridden',
        message: `${o.message} — overridden with --break-glass: ${ctx.breakGlass}`,
      };
    }
    return { gate: g.id, service: ctx.service, ...o };
  });
}

/** Whether `tag` matches a tag policy pattern (RE2 syntax); a pattern that does not compile matches nothing. */
function matchesPolicy(pattern: string, tag: string): boolean {
  try {
    return compileUserPattern(pattern).test(tag);
  } catch {
    return false; // the environment file's own check names the pattern
  }
}
