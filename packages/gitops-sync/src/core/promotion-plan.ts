import type { GateResult } from './gates.js';
import { evaluateGates } from './gates.js';
import {
  editOverlay,
  envTarget,
  environment,
  isFileChange,
  overlayOf,
  refusedBy,
  type FileChange,
  type Pin,
  type Plan,
  type PlanContext,
  type ServiceChange,
} from './change-plan.js';
import { UsageError } from '@cmsweb/toolkit';
import type { Image } from './model.js';
import { sameImage } from './model.js';
import { formatCommitMessage, type ServiceTrailers } from './trailers.js';

// Pure planners for the two commands that move a tag forward: `bump` (a new tag into the testbed)
// and `promote` (what the source runs, into the environment that promotes from it; several services
// in one commit, all or nothing).

export interface BumpRequest {
  service: string;
  env: string;
  tag: string;
  digest: string | null;
  expectTag?: string;
}

export interface PromoteRequest {
  /** Explicit services, or 'all' (every service with an overlay in both environments). */
  services: string[] | 'all';
  except: string[];
  from: string;
  to: string;
  /** Asserts the tag the source must run (single service). */
  tag?: string;
  expectTag?: string;
  breakGlass?: string;
}

export function planBump(req: BumpRequest, ctx: PlanContext): Plan {
  const { env: to, overlay, current, pin } = envTarget(ctx, req.env, req.service);
  const next: Image = pin?.next ?? { tag: req.tag, digest: req.digest };
  const expectTarget =
    pin?.target ?? (req.expectTag !== undefined ? { tag: req.expectTag, digest: current.digest } : undefined);
  const versions = ctx.versions.filter((v) => v.service === req.service);
  const gates = evaluateGates({
    kind: 'bump',
    service: req.service,
    to,
    current,
    next,
    expectTarget,
    versions,
    now: ctx.now,
  });
  const plan = assemble('bump', to.name, undefined, ctx);
  plan.pins.set(req.service, { target: expectTarget ?? current, next });
  addService(plan, { service: req.service, env: to.name, from: current, to: next }, gates, () =>
    editOverlay(overlay, expectTarget ?? current, next),
  );
  return finish(plan, ctx, `bump(${to.name}): ${req.service} ${next.tag}`, []);
}

export function planPromotion(req: PromoteRequest, ctx: PlanContext): Plan {
  const from = environment(ctx.snapshot, req.from, '--from');
  const to = environment(ctx.snapshot, req.to, '--to');
  if (from.name === to.name)
    throw new UsageError(`--from and --to are both ${from.name}: expected two different environments`);
  const services =
    req.services === 'all'
      ? [...from.overlays.keys()].filter((s) => to.overlays.has(s) && !req.except.includes(s)).sort()
      : req.services;
  if (services.length === 0)
    throw new UsageError(
      `no services to promote from ${from.name} to ${to.name}${req.except.length ? ' after --except' : ''}`,
    );
  if (req.tag !== undefined && services.length !== 1)
    throw new UsageError('--tag names the tag of one service: use it with a single --service');
  const plan = assemble('promote', to.name, from.name, ctx);
  for (const service of services) {
    const source = overlayOf(from, service).image;
    const target = overlayOf(to, service);
    const pin = ctx.pins?.get(service);
    const expectSource = pin?.source ?? (req.tag !== undefined ? { tag: req.tag, digest: source.digest } : undefined);
    const expectTarget =
      pin?.target ?? (req.expectTag !== undefined ? { tag: req.expectTag, digest: target.image.digest } : undefined);
    const next = pin?.next ?? source;
    if (!pin && req.services === 'all' && sameImage(target.image, source) && to.config.promotesFrom === from.name) {
      plan.upToDate.push(service);
      continue;
    }
    const versions = ctx.versions.filter((v) => v.service === service);
    const gates = evaluateGates({
      kind: 'promote',
      service,
      to,
      from,
      current: target.image,
      next,
      source,
      expectSource,
      expectTarget,
      versions,
      now: ctx.now,
      breakGlass: req.breakGlass,
    });
    plan.pins.set(service, { source: expectSource ?? source, target: expectTarget ?? target.image, next });
    addService(plan, { service, env: to.name, from: target.image, to: next, promotedFrom: from.name }, gates, () =>
      editOverlay(target, expectTarget ?? target.image, next),
    );
  }
  const subject =
    plan.changes.length === 1
      ? `promote(${to.name}): ${plan.changes[0]!.service} ${plan.changes[0]!.to.tag} from ${from.name}`
      : `promote(${to.name}): ${plan.changes.length} services from ${from.name}`;
  const body =
    plan.changes.length > 1 ? plan.changes.map((c) => `- ${c.service}: ${c.from.tag ?? '(none)'} -> ${c.to.tag}`) : [];
  return finish(plan, ctx, subject, body, req.breakGlass);
}

export function assemble(kind: Plan['kind'], env: string, from: string | undefined, _ctx: PlanContext): Plan {
  return {
    kind,
    env,
    ...(from ? { from } : {}),
    changes: [],
    upToDate: [],
    files: [],
    gates: [],
    message: '',
    refused: false,
    pins: new Map<string, Pin>(),
  };
}

/** Adds one service's gates and, when it changes anything, its overlay edit. */
export function addService(
  plan: Plan,
  change: ServiceChange,
  gates: GateResult[],
  edit: () => FileChange | GateResult,
): void {
  const swapped = gates.find((g) => g.gate === 'compare-and-swap');
  // A change against the environment order is refused even when it would change nothing.
  const misordered = gates.some((g) => g.gate === 'order' && g.status === 'fail');
  if (sameImage(change.from, change.to) && swapped?.status !== 'fail' && !misordered) {
    plan.upToDate.push(change.service);
    return;
  }
  if (sameImage(change.from, change.to) && misordered) {
    plan.gates.push(...gates);
    plan.changes.push(change);
    return;
  }
  const file = edit();
  if (isFileChange(file)) plan.files.push(file);
  else gates.push(file);
  plan.gates.push(...gates);
  plan.changes.push(change);
}

export function finish(plan: Plan, ctx: PlanContext, subject: string, body: string[], breakGlass?: string): Plan {
  plan.refused = refusedBy(plan.gates);
  const services: ServiceTrailers[] = plan.changes.map((c) => ({
    service: c.service,
    environment: c.env,
    tag: c.to.tag ?? undefined,
    digest: c.to.digest ?? undefined,
    promotedFrom: c.promotedFrom,
  }));
  const overridden = [...new Set(plan.gates.filter((g) => g.status === 'overridden').map((g) => g.gate))];
  plan.message = formatCommitMessage(subject, body, {
    services,
    promotionId: ctx.operationId,
    requestedBy: ctx.requester,
    gateOverrides: overridden.map((gate) => ({ gate, reason: breakGlass ?? '' })),
  });
  return plan;
}
