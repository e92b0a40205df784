import {
  editOverlay,
  envTarget,
  environment,
  isFileChange,
  refusedBy,
  type Plan,
  type PlanContext,
} from './change-plan.js';
import { evaluateGates, type GateResult } from './gates.js';
import { formatHolds } from './holds.js';
import type { Hold, Image, OverlayVersion } from './model.js';
import { sameImage, showImage } from './model.js';
import { assemble } from './promotion-plan.js';
import { formatCommitMessage } from './trailers.js';

// Pure planners for `rollback` (back to an earlier tag found in git history, plus a hold) and
// `release` (lift the hold). Rollbacks ignore soak and freeze: they are the remedy, not a release.

export interface RollbackRequest {
  service: string;
  env: string;
  /** The tag to go back to; default: the tag the environment ran before the current one. */
  to?: string;
  reason?: string;
}

export function planRollback(req: RollbackRequest, ctx: PlanContext): Plan {
  const { env, overlay, current, pin } = envTarget(ctx, req.env, req.service);
  const own = ctx.versions.filter(
    (v) => v.service === req.service && v.env === env.name && v.kind === 'overlay' && v.image?.tag,
  );
  const found = pin ? undefined : previousVersion(own, current, req.to);
  const plan = assemble('rollback', env.name, undefined, ctx);
  const next: Image | undefined = pin?.next ?? found?.image ?? undefined;
  const history: GateResult = next
    ? {
        gate: 'history',
        service: req.service,
        status: 'pass',
        message: found
          ? `${env.name} ran ${showImage(next)} before (commit ${found.commit.slice(0, 10)}, ${found.date})`
          : `going back to ${showImage(next)} as first planned`,
      }
    : { gate: 'history', service: req.service, status: 'fail', message: noTarget(env.name, req.to, current, own) };
  if (!next) {
    plan.gates.push(history);
    plan.refused = true;
    return plan;
  }
  const expectTarget = pin?.target ?? current;
  const gates = [
    history,
    ...evaluateGates({
      kind: 'rollback',
      service: req.service,
      to: env,
      current,
      next,
      expectTarget,
      versions: own,
      now: ctx.now,
    }),
  ];
  plan.pins.set(req.service, { target: expectTarget, next });
  plan.changes.push({ service: req.service, env: env.name, from: current, to: next });
  const edit = editOverlay(overlay, expectTarget, next);
  if (isFileChange(edit)) plan.files.push(edit);
  else gates.push(edit);
  const hold: Hold = {
    service: req.service,
    tag: next.tag!,
    rolledBackFrom: current.tag ?? '(none)',
    since: ctx.now.toISOString(),
    by: ctx.requester,
    ...(req.reason ? { reason: req.reason } : {}),
    operationId: ctx.operationId,
  };
  const holds = new Map(env.holds).set(req.service, hold);
  plan.files.push({ path: env.holdsPath, before: env.holdsText, after: formatHolds(holds) });
  plan.gates.push(...gates);
  plan.refused = refusedBy(plan.gates);
  plan.message = formatCommitMessage(
    `rollback(${env.name}): ${req.service} ${current.tag} -> ${next.tag} (held)`,
    req.reason ? [req.reason] : [],
    {
      services: [
        {
          service: req.service,
          environment: env.name,
          tag: next.tag!,
          digest: next.digest ?? undefined,
          hold: hold.rolledBackFrom,
        },
      ],
      promotionId: ctx.operationId,
      requestedBy: ctx.requester,
      gateOverrides: [],
    },
  );
  return plan;
}

/** The newest earlier version whose tag differs from what runs now (or equals `wanted`). */
function previousVersion(
  versions: readonly OverlayVersion[],
  current: Image,
  wanted: string | undefined,
): OverlayVersion | undefined {
  return versions.find(
    (v) =>
      (wanted === undefined ? v.image!.tag !== current.tag : v.image!.tag === wanted) && !sameImage(v.image, current),
  );
}

function noTarget(
  env: string,
  wanted: string | undefined,
  current: Image,
  versions: readonly OverlayVersion[],
): string {
  const ran = [...new Set(versions.map((v) => v.image!.tag))];
  if (wanted !== undefined && wanted === current.tag) return `${env} already runs ${wanted}: nothing to roll back to`;
  if (wanted !== undefined)
    return `${env} never ran ${wanted} according to git history (it ran: ${ran.join(', ') || 'nothing recorded'}); rollback only goes back to a tag from history`;
  return `git history holds no earlier tag for this service in ${env} than ${current.tag} (it ran: ${ran.join(', ') || 'nothing recorded'})`;
}

export interface ReleaseRequest {
  service: string;
  env: string;
}

export function planRelease(req: ReleaseRequest, ctx: PlanContext): Plan {
  const env = environment(ctx.snapshot, req.env, '--env');
  const plan = assemble('release', env.name, undefined, ctx);
  const hold = env.holds.get(req.service);
  if (!hold) {
    plan.gates.push({
      gate: 'hold',
      service: req.service,
      status: 'fail',
      message: `${req.service} is not held in ${env.name}: nothing to release`,
    });
    plan.refused = true;
    return plan;
  }
  plan.gates.push({
    gate: 'hold',
    service: req.service,
    status: 'pass',
    message: `${req.service} is held in ${env.name} since ${hold.since} (rolled back from ${hold.rolledBackFrom})`,
  });
  const holds = new Map(env.holds);
  holds.delete(req.service);
  plan.files.push({ path: env.holdsPath, before: env.holdsText, after: formatHolds(holds) });
  plan.message = formatCommitMessage(
    `release(${env.name}): ${req.service} (hold from the rollback of ${hold.rolledBackFrom} lifted)`,
    [],
    {
      services: [{ service: req.service, environment: env.name, release: hold.rolledBackFrom }],
      promotionId: ctx.operationId,
      requestedBy: ctx.requester,
      gateOverrides: [],
    },
  );
  return plan;
}
