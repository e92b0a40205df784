import { cronScheduleProblem, timeZoneProblem } from '@cmsweb/catalog/rules';
import { isRecord, labelsOf } from '../../resources.js';
import type { Resource } from '../../resources.js';
import type { CheckTemplate, Issue, ObjectSetView, ParamSpec } from '../check.js';

// Per-object templates: each looks at one object at a time.

/** hostPath volumes only under an allowed path (catalog/cluster.yaml allowedHostPaths). */
export const hostPathAllowed: CheckTemplate = {
  name: 'host-path-allowed',
  description: 'hostPath volumes mount only allowed host paths',
  crossObject: false,
  params: {},
  run(_params, objects, context) {
    const out: Issue[] = [];
    const allowed = context.allowedHostPaths.map((p) => p.replace(/\/+$/, ''));
    for (const pod of objects.pods()) {
      if (!Array.isArray(pod.spec.volumes)) continue;
      pod.spec.volumes.forEach((v, i) => {
        if (!isRecord(v) || !isRecord(v.hostPath)) return;
        const path = String(v.hostPath.path ?? '');
        const norm = path.replace(/\/+$/, '');
        if (allowed.some((a) => norm === a || norm.startsWith(`${a}/`))) return;
        out.push({
          resource: pod.resource,
          path: [...pod.path, 'spec', 'volumes', i, 'hostPath', 'path'],
          message: `volume "${String(v.name)}" mounts host path ${path}, which is not allowed: expected one of ${allowed.length ? allowed.join(', ') : '(none: allowedHostPaths is empty)'} (catalog/cluster.yaml allowedHostPaths)`,
        });
      });
    }
    return out;
  },
};

/** Labels every object carries. Params: labels (names), kinds to skip. */
export const requiredLabels: CheckTemplate = {
  name: 'required-labels',
  description: 'every object carries the given metadata labels',
  crossObject: false,
  params: { labels: { type: 'string[]', required: true, description: 'label keys every object carries' } },
  run(params, objects) {
    const names = params.labels as string[];
    const out: Issue[] = [];
    for (const r of objects.all) {
      const labels = labelsOf(r.object);
      const missing = names.filter((n) => !labels[n]);
      if (missing.length) {
        const set = missing.length < names.length ? ` (the standard set is ${names.join(', ')})` : '';
        out.push({
          resource: r,
          path: ['metadata', 'labels'],
          message: `${r.ref.kind} ${r.ref.name} lacks the standard label${missing.length > 1 ? 's' : ''} ${missing.join(', ')}${set}`,
        });
      }
    }
    return out;
  },
};

/** The parameter of the frontend-rules templates: which ConfigMap data keys hold the rules. */
const FRONTEND_RULES_KEY: ParamSpec = {
  type: 'regexp',
  required: true,
  description: 'which data keys of ConfigMaps hold frontend rules',
};

/**
 * Frontend rules (`<regex> <host>[|<host>...] [:affinity]`, one per line) held in a ConfigMap data key:
 * each URL prefix may be routed once. Params: dataKey (regular expression over data keys).
 */
export const frontendRulesUnique: CheckTemplate = {
  name: 'frontend-rules-unique',
  description: 'each URL prefix appears in one frontend rule only',
  crossObject: false,
  params: {
    dataKey: FRONTEND_RULES_KEY,
  },
  run(params, objects) {
    const out: Issue[] = [];
    for (const { resource: r, key, text } of configMapTexts(objects, new RegExp(String(params.dataKey)))) {
      {
        const seen = new Map<string, number>();
        text.split('\n').forEach((line, i) => {
          const t = line.trim();
          if (t === '' || t.startsWith('#')) return;
          const prefix = t.split(/\s+/)[0]!;
          const first = seen.get(prefix);
          if (first !== undefined) {
            out.push({
              resource: r,
              path: ['data', key],
              message: `${key} line ${i + 1} routes URL prefix ${prefix} again (first on line ${first}): expected each prefix once; the frontend uses the first match only`,
            });
          } else seen.set(prefix, i + 1);
        });
      }
    }
    return out;
  },
};

/** One parsed line of a frontend rules file (cmshosts.pm grammar). */
export interface FrontendLine {
  line: number;
  regex: RegExp;
  source: string;
  hosts: string[];
}

const RULE_LINE = /^(\S+)\s+(\S+)(\s+((:\w+)(\s+:\w+)*))?$/;

/** Pure: the rules of a backends-*.txt as cmshosts.pm reads them, and the lines it would refuse. */
export function parseFrontendRules(text: string): {
  rules: FrontendLine[];
  errors: Array<{ line: number; message: string }>;
} {
  const rules: FrontendLine[] = [];
  const errors: Array<{ line: number; message: string }> = [];
  text.split('\n').forEach((raw, i) => {
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) return;
    const m = RULE_LINE.exec(t);
    if (!m)
      return void errors.push({
        line: i + 1,
        message: `line ${i + 1} is not "<regex> <host>[|<host>...] [:affinity]": the frontend refuses the whole file and keeps its previous rules`,
      });
    try {
      rules.push({ line: i + 1, regex: new RegExp(m[1]!), source: m[1]!, hosts: m[2]!.split('|') });
    } catch (e) {
      errors.push({
        line: i + 1,
        message: `line ${i + 1}: ${m[1]} is not a valid regular expression (${(e as Error).message})`,
      });
    }
  });
  return { rules, errors };
}

/** Pure: the first rule matching `url` (path and query string, the frontend's unparsed URI). */
export function routeUrl(rules: readonly FrontendLine[], url: string): FrontendLine | undefined {
  return rules.find((r) => r.regex.test(url));
}

/**
 * Pure: routeUrl over the same rules for many URLs. A catalog routes one URL per service through one rule
 * per service, so trying every rule for every URL grew with the square of the services (at 5,000, about
 * 50 million regular expressions per environment). Each rule is tried only for the URLs starting with its
 * literal prefix (anchoredPrefix); rules without one, for every URL; the first that matches in file order wins.
 */
export function frontendRouter(rules: readonly FrontendLine[]): (url: string) => FrontendLine | undefined {
  const always: number[] = [];
  const byPrefix = new Map<string, number[]>();
  rules.forEach((r, i) => {
    const prefix = anchoredPrefix(r.source);
    if (!prefix) return void always.push(i);
    const list = byPrefix.get(prefix);
    if (list) list.push(i);
    else byPrefix.set(prefix, [i]);
  });
  const lengths = [...new Set([...byPrefix.keys()].map((k) => k.length))];
  return (url) => {
    const candidates = [...always];
    for (const n of lengths) {
      const list = n <= url.length ? byPrefix.get(url.slice(0, n)) : undefined;
      if (list) candidates.push(...list);
    }
    candidates.sort((a, b) => a - b);
    for (const i of candidates) if (rules[i]!.regex.test(url)) return rules[i];
    return undefined;
  };
}

/**
 * Pure: the literal text every match of the regular expression `source` (no flags) starts with, when it is
 * anchored at ^ with no alternative at its top level; '' when there is none to be sure of.
 */
export function anchoredPrefix(source: string): string {
  if (!source.startsWith('^')) return '';
  // A | outside any group or class makes an alternative that the ^ does not anchor.
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') {
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return '';
  }
  let prefix = '';
  let i = 1;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1];
      // An escaped punctuation character is itself (\/, \.); a letter or digit is a class or a back-reference.
      if (next === undefined || /[A-Za-z0-9]/.test(next)) break;
      prefix += next;
      i += 2;
    } else if ('^$.|?*+()[]{}'.includes(c)) break;
    else {
      prefix += c;
      i++;
    }
  }
  // A quantifier after the last literal character may repeat it zero times (?, *, {0,}): it is not sure.
  if (i < source.length && '?*+{'.includes(source[i]!)) prefix = prefix.slice(0, -1);
  return prefix;
}

/**
 * The frontend rules route every URL of the catalog to its service's hosts in that environment, and URLs
 * no service claims to the catch-all (or nowhere), with the frontend's first-match semantics. Params: dataKey.
 */
export const frontendRoutesTemplate: CheckTemplate = {
  name: 'frontend-routes',
  description: 'the frontend rules route each catalog URL to its service, first match wins',
  crossObject: false,
  params: {
    dataKey: FRONTEND_RULES_KEY,
  },
  run(params, objects, context) {
    const out: Issue[] = [];
    for (const { resource: r, key, text } of configMapTexts(objects, new RegExp(String(params.dataKey)))) {
      {
        const at = (message: string) => out.push({ resource: r, path: ['data', key], message: `${key}: ${message}` });
        const { rules, errors } = parseFrontendRules(text);
        errors.forEach((e) => at(e.message));
        const env = r.env ?? /^backends(?:-k8s)?-(.+)\.txt$/.exec(key)?.[1];
        const table = env ? context.frontendRoutes?.[env] : undefined;
        if (!table || errors.length) continue;
        const show = (rule: FrontendLine | undefined) =>
          rule ? `line ${rule.line} (${rule.source} → ${rule.hosts.join('|')})` : 'no rule';
        const firstRule = frontendRouter(rules);
        for (const route of table.routes) {
          const hit = firstRule(route.url);
          if (hit && sameHosts(hit.hosts, route.hosts)) continue;
          at(
            `${route.url} must reach service ${route.service} (${route.hosts.join('|')} in ${env}) but the first matching rule is ${show(hit)}: expected a rule for it before any broader one (catalog urlPrefixes, urlQuery, vm.hosts; regenerate)`,
          );
        }
        const hit = firstRule(table.unclaimed.url);
        const want = table.unclaimed.hosts;
        if (want.length ? !hit || !sameHosts(hit.hosts, want) : hit) {
          at(
            `${table.unclaimed.url}, a URL no service claims, is routed by ${show(hit)}: expected ${want.length ? `the final catch-all "^ ${want.join('|')}" (catalog/cluster.yaml frontend.catchAll)` : `no rule (${env} has no frontend.catchAll)`}`,
          );
        }
      }
    }
    return out;
  },
};

function sameHosts(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((h, i) => h === [...b].sort()[i]);
}

/** The text values of ConfigMaps whose data key matches `keyPattern`. */
function configMapTexts(
  objects: ObjectSetView,
  keyPattern: RegExp,
): Array<{ resource: Resource; key: string; text: string }> {
  const out: Array<{ resource: Resource; key: string; text: string }> = [];
  for (const resource of objects.byKind('ConfigMap')) {
    const data = isRecord(resource.object.data) ? resource.object.data : {};
    for (const [key, text] of Object.entries(data))
      if (keyPattern.test(key) && typeof text === 'string') out.push({ resource, key, text });
  }
  return out;
}

/** A CronJob's schedule and timeZone as the API server validates them (batch/v1; robfig/cron, IANA zones). */
export const cronJobSchedule: CheckTemplate = {
  name: 'cronjob-schedule',
  description: "a CronJob's schedule parses as a cron expression and its timeZone names an IANA time zone",
  crossObject: false,
  params: {},
  run(_params, objects) {
    const out: Issue[] = [];
    for (const r of objects.all) {
      if (r.ref.kind !== 'CronJob' || !isRecord(r.object.spec)) continue;
      const spec = r.object.spec;
      if (typeof spec.schedule === 'string') {
        const p = cronScheduleProblem(spec.schedule);
        if (p)
          out.push({
            resource: r,
            path: ['spec', 'schedule'],
            message: `schedule "${spec.schedule}" ${p}${/timeZone/.test(p) ? '' : ': expected five fields (minute hour day-of-month month day-of-week) or a descriptor such as @daily'}`,
          });
      }
      if (typeof spec.timeZone === 'string') {
        const p = timeZoneProblem(spec.timeZone);
        if (p)
          out.push({
            resource: r,
            path: ['spec', 'timeZone'],
            message: `timeZone "${spec.timeZone}" ${p}`,
          });
      }
    }
    return out;
  },
};
