import semver from 'semver';
import { evaluateGates, type GateResult } from './gates.js';
import type { Hold, OverlayVersion, Snapshot } from './model.js';
import { sameImage } from './model.js';

// Pure: the services × environments matrix of what runs where, where an environment lags the one it
// promotes from, and which promotions the gates would let through now (validation not run here).

export interface StatusCell {
  tag: string | null;
  digest: string | null;
  hold: Hold | null;
  problems: string[];
  /** Compared with the environment it promotes from: null for the testbed or a missing source. */
  lag: null | { source: string; sourceTag: string | null; direction: 'behind' | 'ahead' | 'differs' | 'same' };
  promotion: null | { from: string; tag: string | null; possible: boolean; blockedBy: GateResult[] };
}

export interface StatusReport {
  commit: string;
  environments: string[];
  services: Array<{ service: string; environments: Record<string, StatusCell | null> }>;
  possible: Array<{ service: string; from: string; to: string; tag: string | null }>;
}

export function buildStatus(snapshot: Snapshot, versions: readonly OverlayVersion[], now: Date): StatusReport {
  const names = new Set<string>();
  for (const e of snapshot.envs.values()) for (const s of e.overlays.keys()) names.add(s);
  const report: StatusReport = { commit: snapshot.commit, environments: snapshot.order, services: [], possible: [] };
  for (const service of [...names].sort()) {
    const row: Record<string, StatusCell | null> = {};
    for (const envName of snapshot.order) {
      const env = snapshot.envs.get(envName)!;
      const o = env.overlays.get(service);
      if (!o) {
        row[envName] = null;
        continue;
      }
      const cell: StatusCell = {
        tag: o.image.tag,
        digest: o.image.digest,
        hold: env.holds.get(service) ?? null,
        problems: o.problems,
        lag: null,
        promotion: null,
      };
      const from = env.config.promotesFrom ? snapshot.envs.get(env.config.promotesFrom) : undefined;
      const source = from?.overlays.get(service);
      if (from && source) {
        const same = sameImage(source.image, o.image);
        cell.lag = {
          source: from.name,
          sourceTag: source.image.tag,
          direction: same ? 'same' : direction(o.image.tag, source.image.tag),
        };
        if (!same && source.image.tag !== null) {
          const gates = evaluateGates({
            kind: 'promote',
            service,
            to: env,
            from,
            current: o.image,
            next: source.image,
            source: source.image,
            versions: versions.filter((v) => v.service === service),
            now,
          });
          const blockedBy = gates.filter((g) => g.status === 'fail');
          cell.promotion = {
            from: from.name,
            tag: source.image.tag,
            possible: blockedBy.length === 0 && o.problems.length === 0,
            blockedBy,
          };
          if (cell.promotion.possible)
            report.possible.push({ service, from: from.name, to: envName, tag: source.image.tag });
        }
      }
      row[envName] = cell;
    }
    report.services.push({ service, environments: row });
  }
  return report;
}

function direction(target: string | null, source: string | null): 'behind' | 'ahead' | 'differs' {
  const a = target ? semver.valid(semver.clean(target.replace(/-stable$/, '')) ?? '') : null;
  const b = source ? semver.valid(semver.clean(source.replace(/-stable$/, '')) ?? '') : null;
  if (a && b && semver.neq(a, b)) return semver.lt(a, b) ? 'behind' : 'ahead';
  return target === null ? 'behind' : 'differs';
}
