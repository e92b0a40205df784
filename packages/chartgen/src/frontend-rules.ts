import { catchAllHosts, frontendRoutes, type Cluster, type FrontendRoute, type Service } from '@cmsweb/catalog';

// backends-k8s-<env>.txt, read by the CMSWEB frontend's cmshosts.pm (dmwm/deployment frontend/): one rule a
// line, `<regex> <host>[|<host>...] [:affinity]`; blank and `#` lines skipped; a line that does not parse
// makes the frontend keep its previous rules (the whole file is refused). For every request it matches each
// regex, in file order, against the unparsed URI (path AND query string) and takes the first match.

/** One redirect rule of the frontend. */
export interface FrontendRule {
  regex: string;
  hosts: string[];
  affinity: boolean;
  /** The catalog service, or undefined for the final catch-all. */
  service?: string;
}

/** The end of a prefix: a path separator, the query string, or the end of the URI. */
const PREFIX_END = '(?:[/?]|$)';

/** Pure: the regex of a route: the prefix, and for query conditions a lookahead per parameter in the query string. */
export function routeRegex(rulePrefix: string, r: Pick<FrontendRoute, 'prefix' | 'query'>): string {
  const path = `${rulePrefix}${escapeRegex(r.prefix)}`;
  const params = Object.entries(r.query).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (!params.length) return `${path}${PREFIX_END}`;
  return `${path}(?:/[^?]*)?\\?${params.map(([k, v]) => `(?=(?:[^&]*&)*${escapeRegex(k)}=${escapeRegex(v)}(?:&|$))`).join('')}`;
}

/**
 * Pure: the frontend rules of `env`: every URL prefix of every service (Kubernetes services go to
 * `<svc>.<ns>.svc.cluster.local`, VM-hosted ones to their hosts in `env`), in the order of frontendRoutes
 * (longer prefixes first, query conditions before the plain prefix), then the environment's catch-all.
 */
export function buildFrontendRules(cluster: Cluster, services: readonly Service[], env: string): FrontendRule[] {
  const frontend = cluster.frontend;
  if (!frontend) return [];
  const rules: FrontendRule[] = frontendRoutes(services, env)
    .filter((r) => r.hosts.length > 0)
    .map((r) => ({
      regex: routeRegex(frontend.rulePrefix, r),
      hosts: r.hosts,
      affinity: r.affinity,
      service: r.service,
    }));
  const last = catchAllHosts(cluster, env);
  if (last?.length) rules.push({ regex: '^', hosts: last, affinity: false });
  return rules;
}

export function formatFrontendRule(r: FrontendRule): string {
  return `${r.regex} ${r.hosts.join('|')}${r.affinity ? ' :affinity' : ''}`;
}

/** The line grammar of backends-k8s-*.txt (cmshosts.pm: `^(\S+)\s+(\S+)(\s+((:\w+)(\s+:\w+)*))?$`). */
export const FRONTEND_RULE_LINE = /^(\S+)\s+(\S+)(\s+((:\w+)(\s+:\w+)*))?$/;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
