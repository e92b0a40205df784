import { editYamlScalars } from '@cmsweb/yaml';
import { formatLocation } from '@cmsweb/yaml';
import type { GateResult, ChangeKind } from './gates.js';
import type { Image, Overlay, OverlayVersion, Snapshot, EnvironmentState } from './model.js';
import { UsageError } from '@cmsweb/toolkit';

// What every planner returns: the files to write, each gate's result, and the commit message, so
// that the shell can show it (--dry-run), validate it, commit it, or report why it was refused.

export interface FileChange {
  path: string;
  /** The content the change replaces (null: the file does not exist yet). */
  before: string | null;
  after: string;
}

export interface ServiceChange {
  service: string;
  env: string;
  from: Image;
  to: Image;
  promotedFrom?: string;
}

/** What the first attempt saw, so that a retry on a newer head re-applies the very same change. */
export interface Pin {
  source?: Image;
  target: Image;
  next: Image;
}

export interface Plan {
  kind: ChangeKind;
  env: string;
  from?: string;
  changes: ServiceChange[];
  /** Services that already run what the change would set. */
  upToDate: string[];
  files: FileChange[];
  gates: GateResult[];
  message: string;
  refused: boolean;
  pins: Map<string, Pin>;
}

export interface PlanContext {
  snapshot: Snapshot;
  /** Overlay (and holds) versions of the services involved, newest first. */
  versions: readonly OverlayVersion[];
  now: Date;
  requester: string;
  operationId: string;
  pins?: Map<string, Pin>;
}

export function environment(snapshot: Snapshot, name: string, flag: string): EnvironmentState {
  const env = snapshot.envs.get(name);
  if (!env && snapshot.undeclared?.includes(name)) {
    throw new UsageError(
      `${flag} ${name}: catalog/cluster.yaml does not declare environment ${name}, so environments/${name}/ is a leftover and nothing is changed there (expected one of ${snapshot.order.join(', ')}; add ${name} to environments: in catalog/cluster.yaml, or delete environments/${name}/)`,
    );
  }
  if (!env)
    throw new UsageError(
      `${flag} ${name}: no environment of that name (expected one of ${snapshot.order.join(', ')}, from environments/<env>/environment.yaml)`,
    );
  return env;
}

export function overlayOf(env: EnvironmentState, service: string): Overlay {
  const o = env.overlays.get(service);
  if (!o)
    throw new UsageError(
      `service ${service} has no overlay environments/${env.name}/values/${service}.yaml (expected one per service and environment; chartgen creates it)`,
    );
  return o;
}

/** The environment `--env` names, the service's overlay there, the image it runs now and the pin of a retry. */
export function envTarget(ctx: PlanContext, envName: string, service: string) {
  const env = environment(ctx.snapshot, envName, '--env');
  const overlay = overlayOf(env, service);
  return { env, overlay, current: overlay.image, pin: ctx.pins?.get(service) };
}

/** Pure: the byte-minimal overlay edit from `current` to `next`, or the gate result saying why not. */
export function editOverlay(overlay: Overlay, current: Image, next: Image): FileChange | GateResult {
  if (overlay.problems.length > 0) {
    return {
      gate: 'overlay',
      service: overlay.service,
      status: 'fail',
      message: `${overlay.path} cannot be edited: ${overlay.problems.join('; ')}`,
    };
  }
  const r = editYamlScalars(overlay.text, overlay.path, [
    { path: ['image', 'tag'], expect: current.tag, value: next.tag },
    { path: ['image', 'digest'], expect: current.digest, value: next.digest },
  ]);
  if (!r.ok) {
    const gate = r.findings.some((f) => f.check === 'yaml-edit-conflict') ? 'compare-and-swap' : 'overlay';
    return {
      gate,
      service: overlay.service,
      status: 'fail',
      message: r.findings.map((f) => `${formatLocation(f)}: ${f.message}`).join('; '),
    };
  }
  return { path: overlay.path, before: overlay.text, after: r.text };
}

export function isFileChange(x: FileChange | GateResult): x is FileChange {
  return 'after' in x;
}

export function refusedBy(gates: readonly GateResult[]): boolean {
  return gates.some((g) => g.status === 'fail');
}
