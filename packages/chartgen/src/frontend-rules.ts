import type { Cluster, Service } from '@cmsweb/catalog';

/** One redirect rule of the frontend: `<regex> <host>[|<host>...] [:affinity]`. */
export interface FrontendRule {
  prefix: string;
  regex: string;
  hosts: string[];
  affinity: boolean;
  service: string;
}

/**
 * Pure: the frontend rules for every URL prefix of every service. Kubernetes services go to
 * `<svc>.<ns>.svc.cluster.local`, VM-hosted ones to their hosts. More specific (longer) prefixes come
 * first, so a rule for /a/b is tried before /a; ties are ordered by prefix for a stable file.
 */
export function buildFrontendRules(cluster: Cluster, services: Service[]): FrontendRule[] {
  const rules: FrontendRule[] = [];
  for (const s of services) {
    for (const raw of s.urlPrefixes ?? []) {
      const prefix = raw.replace(/\/+$/, '');
      rules.push({
        prefix,
        regex: `${cluster.frontend.rulePrefix}${escapeRegex(prefix)}(?:/|$)`,
        hosts: s.vm ? [...s.vm.hosts] : [`${s.name}.${s.namespace}.svc.cluster.local`],
        affinity: Boolean(s.vm?.affinity),
        service: s.name,
      });
    }
  }
  return rules.sort((a, b) => b.prefix.length - a.prefix.length || (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
}

export function formatFrontendRule(r: FrontendRule): string {
  return `${r.regex} ${r.hosts.join('|')}${r.affinity ? ' :affinity' : ''}`;
}

/** The line grammar of backends-k8s-*.txt, for tests and for anyone reading the file back. */
export const FRONTEND_RULE_LINE = /^(\S+) ([a-z0-9.-]+(?:\|[a-z0-9.-]+)*)(?: (:affinity))?$/;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
