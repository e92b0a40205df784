import { compileUserPattern, IMAGE_DIGEST, type UserPattern } from '@cmsweb/catalog/rules';
import { locate } from '@cmsweb/yaml';
import type { Finding } from '../findings.js';
import { isRecord, type Resource } from '../resources.js';
import type { RepoEnvironment, RepoYaml } from '../repo/repo-snapshot.js';
import { objectFinding } from './object-findings.js';
import { secretRefsOf } from './secret-refs.js';

export interface EnvRulesInput {
  /** Every environment of the repository, in promotion order (`production` marks production ones). */
  environments: RepoEnvironment[];
  /** Environments being validated (after --env). */
  selected: string[];
  /** Overlays by environment, then service. */
  overlays: Record<string, Record<string, RepoYaml>>;
  /** Rendered objects by environment. */
  resources: Record<string, Resource[]>;
  /** PolicyContext.ignoreAnnotation: an object opts out of exclusive-secret with it. */
  ignoreAnnotation: string;
}

function getIn(v: unknown, path: string[]): unknown {
  return path.reduce<unknown>((acc, k) => (isRecord(acc) ? acc[k] : undefined), v);
}

/** Pure: tag policies per environment and secrets exclusive to production. */
export function checkEnvironmentRules(input: EnvRulesInput, enabled: (id: string) => boolean): Finding[] {
  const out: Finding[] = [];
  if (enabled('tag-policy')) out.push(...checkTagPolicies(input));
  if (enabled('exclusive-secret')) out.push(...checkExclusiveSecrets(input));
  return out;
}

function checkTagPolicies(input: EnvRulesInput): Finding[] {
  const out: Finding[] = [];
  for (const env of input.environments.filter((e) => input.selected.includes(e.name))) {
    const policy = env.file?.promotion?.tagPolicy;
    if (!policy) continue;
    // RE2 (linear time): a policy such as ^(a|aa)+$ cannot hang the validator on a long tag.
    let pattern: UserPattern;
    try {
      pattern = compileUserPattern(policy.pattern);
    } catch {
      continue; // reported by environment-schema
    }
    for (const [service, o] of Object.entries(input.overlays[env.name] ?? {})) {
      if (o.value === undefined) continue;
      const at = (path: string[], message: string) =>
        out.push({
          check: 'tag-policy',
          severity: 'error',
          message,
          ...locate(o.parsed, 0, path),
          env: env.name,
          service,
        });
      const tag = getIn(o.value, ['image', 'tag']);
      const digest = getIn(o.value, ['image', 'digest']);
      if (digest !== undefined && (typeof digest !== 'string' || !IMAGE_DIGEST.test(digest))) {
        at(
          ['image', 'digest'],
          `image.digest ${JSON.stringify(digest)} is not a digest: expected sha256: followed by 64 lowercase hex digits`,
        );
        continue;
      }
      if (typeof digest === 'string' && policy.allowDigest) continue;
      if (tag === undefined || tag === null || tag === '') continue; // overlay-image reports it
      if (!pattern.test(String(tag))) {
        const pin = policy.allowDigest ? ' or pin image.digest' : '';
        at(
          ['image', 'tag'],
          `image.tag ${JSON.stringify(tag)} does not match ${env.name}'s tag policy (${policy.description}: ${policy.pattern}): promote a tag that matches${pin}`,
        );
      }
    }
  }
  return out;
}

function checkExclusiveSecrets(input: EnvRulesInput): Finding[] {
  const out: Finding[] = [];
  const production = new Set(input.environments.filter((e) => e.production).map((e) => e.name));
  // owner environment of each exclusive secret
  const owner = new Map<string, string>();
  for (const env of input.environments) {
    for (const s of env.file?.secrets?.exclusive ?? []) owner.set(s, env.name);
    if (!production.has(env.name)) continue;
    for (const o of Object.values(input.overlays[env.name] ?? {})) {
      const db = getIn(o.value, ['database', 'secretName']);
      if (typeof db === 'string' && db) owner.set(db, env.name);
    }
  }
  for (const env of input.selected) {
    const flagged = new Set<string>();
    for (const [service, o] of Object.entries(input.overlays[env] ?? {})) {
      const db = getIn(o.value, ['database', 'secretName']);
      const own = typeof db === 'string' ? owner.get(db) : undefined;
      if (own && own !== env) {
        flagged.add(`${service}/${String(db)}`);
        out.push({
          check: 'exclusive-secret',
          severity: 'error',
          message: `${env} uses secret "${String(db)}", which belongs to ${own} only: give ${env} its own database account (e.g. ${service}-${env}-db)`,
          ...locate(o.parsed, 0, ['database', 'secretName']),
          env,
          service,
        });
      }
    }
    for (const r of input.resources[env] ?? []) {
      for (const ref of secretRefsOf(r)) {
        const own = owner.get(ref.name);
        if (!own || own === env || flagged.has(`${r.service}/${ref.name}`)) continue;
        const f = objectFinding(
          'exclusive-secret',
          'error',
          r,
          ref.path,
          `${env} references secret "${ref.name}", which belongs to ${own} only: use a secret of ${env}`,
          input.ignoreAnnotation,
        );
        if (f) out.push(f);
      }
    }
  }
  return out;
}
