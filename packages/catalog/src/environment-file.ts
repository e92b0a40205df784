import { z } from 'zod';
import { locate, parseYaml, toJs, type SourceFinding } from '@cmsweb/yaml';
import { zodIssuesToFindings } from './zod-findings.js';

// environments/<env>/environment.yaml: owned by release managers (chartgen only creates it when
// missing). Read by the validator (tag policy, exclusive secrets, Kubernetes version) and by
// gitops-sync (promotion order and gates).

const duration = z.string().regex(/^[0-9]+(m|h|d)$/, 'a duration such as 30m, 24h or 7d');

export const environmentFile = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/),
  /** Argo CD destination cluster name. */
  cluster: z.string().min(1),
  /** The environment this one takes its tags from; null for the first (dev, the testbed). */
  promotesFrom: z.string().nullable(),
  /** Overrides catalog/cluster.yaml kubernetesVersion for rendering and validation. */
  kubernetesVersion: z.string().regex(/^1\.\d+$/, 'a Kubernetes version such as "1.33"').optional(),
  promotion: z.strictObject({
    tagPolicy: z.strictObject({
      /** Regular expression every image tag in this environment must match. */
      pattern: z.string().min(1),
      description: z.string().min(1),
      /** A digest (image.digest) satisfies the policy whatever the tag. */
      allowDigest: z.boolean(),
    }).optional(),
    /** Minimum time a tag must have run in promotesFrom before it may come here. */
    soak: duration.optional(),
    freeze: z.strictObject({
      enabled: z.boolean(),
      reason: z.string().optional(),
      windows: z.array(z.strictObject({ start: z.iso.datetime({ offset: true }), end: z.iso.datetime({ offset: true }), reason: z.string().optional() })).optional(),
    }).optional(),
    /** Run the validator on the affected services before committing a promotion. */
    requireValidation: z.boolean().optional(),
  }).optional(),
  /** How Argo CD deploys this environment (read by chartgen into the environment's Applications). */
  argocd: z.strictObject({
    /**
     * automated (default): every commit is synced, objects removed from git are pruned, changes made in the
     * cluster are reverted (selfHeal). manual: Argo CD shows the difference and a person presses sync.
     */
    sync: z.enum(['automated', 'manual']).optional(),
  }).optional(),
  secrets: z.strictObject({
    /** Secrets only this environment may reference (e.g. prod database accounts). */
    exclusive: z.array(z.string()).optional(),
  }).optional(),
});

export type EnvironmentFile = z.infer<typeof environmentFile>;

/** Pure: parses one environment.yaml. */
export function loadEnvironmentFile(path: string, text: string): { environment?: EnvironmentFile; findings: SourceFinding[] } {
  const parsed = parseYaml(text, path);
  if (parsed.findings.some((f) => f.severity === 'error')) return { findings: parsed.findings };
  const value = toJs(parsed)[0];
  const r = environmentFile.safeParse(value);
  if (!r.success) return { findings: [...parsed.findings, ...zodIssuesToFindings(r.error.issues, parsed, environmentFile, value)] };
  const findings = [...parsed.findings];
  if (r.data.promotion?.tagPolicy) {
    try {
      new RegExp(r.data.promotion.tagPolicy.pattern);
    } catch (e) {
      const loc = locate(parsed, 0, ['promotion', 'tagPolicy', 'pattern']);
      findings.push({ ...loc, check: 'environment-schema', severity: 'error', message: `promotion.tagPolicy.pattern is not a valid regular expression: ${(e as Error).message}` });
    }
  }
  return { environment: r.data, findings };
}

/** Converts a duration such as 24h into milliseconds. */
export function durationMs(d: string): number {
  const n = Number(d.slice(0, -1));
  const unit = d.slice(-1);
  return n * (unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : 86_400_000);
}
