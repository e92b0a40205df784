import { z } from 'zod';
import { locate, parseYaml, toJs, type SourceFinding } from '@cmsweb/yaml';
import { zodIssuesToFindings } from './zod-findings.js';
import { checkCatalogText } from './text-rules.js';
import { DNS_SUBDOMAIN, ENVIRONMENT_NAME, KUBERNETES_VERSIONS, re2Problem } from './grammar.js';

// environments/<env>/environment.yaml: owned by release managers (chartgen only creates it when
// missing). Read by the validator (tag policy, exclusive secrets, Kubernetes version) and by
// gitops-sync (promotion order and gates).

const duration = z.string().regex(/^[0-9]+(m|h|d)$/, 'a duration such as 30m, 24h or 7d');

export const environmentFile = z.strictObject({
  name: z.string().regex(ENVIRONMENT_NAME, 'an environment name such as dev, preprod or prod'),
  /** Argo CD destination cluster name. */
  cluster: z.string().regex(DNS_SUBDOMAIN, 'a cluster name such as cmsweb-prod (lowercase DNS name)'),
  /** The environment this one takes its tags from; null for the first (dev, the testbed). */
  promotesFrom: z.string().regex(ENVIRONMENT_NAME, 'an environment name such as dev, preprod or prod').nullable(),
  /** Overrides catalog/cluster.yaml kubernetesVersion for rendering and validation. */
  kubernetesVersion: z.enum(KUBERNETES_VERSIONS).optional(),
  promotion: z
    .strictObject({
      tagPolicy: z
        .strictObject({
          /** Regular expression every image tag in this environment must match. */
          pattern: z.string().min(1),
          description: z.string().min(1),
          /** A digest (image.digest) satisfies the policy whatever the tag. */
          allowDigest: z.boolean(),
        })
        .optional(),
      /** Minimum time a tag must have run in promotesFrom before it may come here. */
      soak: duration.optional(),
      freeze: z
        .strictObject({
          enabled: z.boolean(),
          reason: z.string().optional(),
          windows: z
            .array(
              z.strictObject({
                start: z.iso.datetime({ offset: true }),
                end: z.iso.datetime({ offset: true }),
                reason: z.string().optional(),
              }),
            )
            .optional(),
        })
        .optional(),
      /** Run the validator on the affected services before committing a promotion. */
      requireValidation: z.boolean().optional(),
    })
    .optional(),
  /** How Argo CD deploys this environment (read by chartgen into the environment's Applications). */
  argocd: z
    .strictObject({
      /**
       * automated (default): every commit is synced, objects removed from git are pruned, changes made in the
       * cluster are reverted (selfHeal). manual: Argo CD shows the difference and a person presses sync.
       */
      sync: z.enum(['automated', 'manual']).optional(),
    })
    .optional(),
  secrets: z
    .strictObject({
      /** Secrets only this environment may reference (e.g. prod database accounts). */
      exclusive: z.array(z.string()).optional(),
    })
    .optional(),
});

export type EnvironmentFile = z.infer<typeof environmentFile>;

/** What an environment file must agree with: its folder's name and the environments of catalog/cluster.yaml. */
export interface EnvironmentExpectation {
  name: string;
  environments: string[];
}

/** Pure: parses one environment.yaml (and, given `expected`, checks its name and promotesFrom against the catalog). */
export function loadEnvironmentFile(
  path: string,
  text: string,
  expected?: EnvironmentExpectation,
): { environment?: EnvironmentFile; findings: SourceFinding[] } {
  const parsed = parseYaml(text, path);
  if (parsed.findings.some((f) => f.severity === 'error')) return { findings: parsed.findings };
  const value = toJs(parsed)[0];
  const textFindings = checkCatalogText(value, parsed).map((f) => ({ ...f, check: 'environment-schema' }));
  if (textFindings.length) return { findings: [...parsed.findings, ...textFindings] };
  const r = environmentFile.safeParse(value);
  if (!r.success)
    return { findings: [...parsed.findings, ...zodIssuesToFindings(r.error.issues, parsed, environmentFile, value)] };
  const findings = [...parsed.findings];
  if (r.data.promotion?.tagPolicy) {
    // Tag policies run on RE2 (linear time: ^(a|aa)+$ cannot hang gitops-sync or the validator).
    const problem = re2Problem(r.data.promotion.tagPolicy.pattern);
    if (problem !== undefined) {
      const loc = locate(parsed, 0, ['promotion', 'tagPolicy', 'pattern']);
      findings.push({
        ...loc,
        check: 'environment-schema',
        severity: 'error',
        message: `promotion.tagPolicy.pattern is not a valid regular expression in RE2 syntax (no backreferences or lookaround): ${problem}`,
      });
    }
  }
  if (expected)
    findings.push(...checkEnvironmentConsistency(r.data, expected, (key) => locate(parsed, 0, [key]), path));
  return { environment: r.data, findings };
}

function checkEnvironmentConsistency(
  env: EnvironmentFile,
  expected: EnvironmentExpectation,
  at: (key: string) => { file: string; line: number; column: number },
  path: string,
): SourceFinding[] {
  const out: SourceFinding[] = [];
  const bad = (key: string, message: string) =>
    out.push({ ...at(key), file: path, check: 'environment-schema', severity: 'error', message });
  if (env.name !== expected.name)
    bad(
      'name',
      `name ${JSON.stringify(env.name)} differs from its folder environments/${expected.name}/: expected name: ${expected.name}`,
    );
  const from = env.promotesFrom;
  if (from !== null && (!expected.environments.includes(from) || from === expected.name)) {
    const others = expected.environments.filter((e) => e !== expected.name);
    bad(
      'promotesFrom',
      `promotesFrom ${JSON.stringify(from)} names no other environment of catalog/cluster.yaml: expected one of ${others.join(', ')}, or null for the first`,
    );
  }
  return out;
}

/** Converts a duration such as 24h into milliseconds. */
export function durationMs(d: string): number {
  const n = Number(d.slice(0, -1));
  const unit = d.slice(-1);
  return n * (unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : 86_400_000);
}
