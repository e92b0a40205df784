import { isRecord } from '../../resources.js';

// A model of the Prometheus Adapter's discovery (kubernetes-sigs/prometheus-adapter pkg/naming,
// docs/config.md), pure, to tell whether a rule serves a metric an HPA asks for:
// 1. series: `seriesQuery` selects series; their names are the selector's metric name (`name{...}` or
//    `{__name__="name"}`); a `__name__=~` selector or `seriesFilters` leave the name open.
// 2. name: `name.matches` (default `.*`) must match the series name (it also filters series out);
//    `name.as` is expanded Go-style ($0, $1, ${1}, $name, ${name}); without `as`, `$0` when the regex has no
//    group, `$1` with one, and the rule is refused with more.
// 3. resources: `resources.overrides` maps a label to a group-resource (normalised by the API server's
//    RESTMapper: `job`, `jobs` → jobs.batch); `resources.template` (`<<.Group>>_<<.Resource>>`) names the label
//    of any resource. A metric asked for on an object (HPA Object: describedObject; Pods: pods) in a namespace
//    needs labels for that resource and for namespaces: the adapter builds `<<.LabelMatchers>>` from them.
//    A seriesQuery matcher `label=""` says the series lack that label.

export interface MetricRequest {
  /** The metric name the HPA asks for. */
  name: string;
  type: 'Pods' | 'Object' | 'External';
  /** Object metrics: the described object's apiVersion and kind. */
  describedObject?: { apiVersion: string; kind: string };
}

export interface RuleVerdict {
  /** e.g. `rules[3]` */
  rule: string;
  seriesQuery: string;
  /** The name this rule gives the series (undefined when it cannot be told). */
  served?: string;
  /** Why the rule does not serve the request; undefined when it does. */
  problem?: string;
}

const CLUSTER_SCOPED = new Set(['namespaces', 'nodes', 'persistentvolumes']);

/** The RESTMapper's plural for a lower-case kind or resource (irregular kinds CMSWEB uses are regular). */
export function pluralResource(resource: string): string {
  const r = resource.toLowerCase();
  if (r.endsWith('s')) return r; // already plural (jobs, pods) or a kind ending in s (ingress → ingresses below)
  if (/(x|ch|sh)$/.test(r)) return `${r}es`;
  if (/[^aeiou]y$/.test(r)) return `${r.slice(0, -1)}ies`;
  return `${r}s`;
}

function normalise(group: string, resource: string): string {
  const r = resource.toLowerCase();
  const plural = r === 'ingress' ? 'ingresses' : r.endsWith('ss') ? `${r}es` : pluralResource(r);
  return `${plural}${group ? `.${group}` : ''}`;
}

/** The group-resource an HPA request needs besides namespaces. */
function requestedResource(req: MetricRequest): string | undefined {
  if (req.type === 'Pods') return 'pods';
  if (req.type === 'Object' && req.describedObject) {
    const group = req.describedObject.apiVersion.includes('/') ? req.describedObject.apiVersion.split('/')[0]! : '';
    return normalise(group, req.describedObject.kind);
  }
  return undefined;
}

interface Selector {
  name?: string;
  nameRegex?: string;
  matchers: Array<{ label: string; op: string; value: string }>;
}

/** Parses a PromQL series selector (`name{l="v",...}` or `{__name__="name",...}`); undefined when it is not one. */
export function parseSelector(text: string): Selector | undefined {
  const m = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(?:\{(.*)\})?\s*$/s.exec(text);
  if (!m || (!m[1] && m[2] === undefined)) return undefined;
  const matchers: Selector['matchers'] = [];
  const body = m[2] ?? '';
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)\s*(,|$)/gy;
  let consumed = 0;
  for (let x = re.exec(body); x; x = re.exec(body)) {
    matchers.push({ label: x[1]!, op: x[2]!, value: x[3]!.slice(1, -1).replace(/\\(.)/g, '$1') });
    consumed = re.lastIndex;
    if (!x[4]) break;
  }
  if (body.slice(consumed).trim() !== '') return undefined;
  const sel: Selector = { ...(m[1] ? { name: m[1] } : {}), matchers };
  for (const x of matchers.filter((y) => y.label === '__name__')) {
    if (x.op === '=') sel.name = x.value;
    else if (x.op === '=~') sel.nameRegex = x.value;
  }
  return sel;
}

/** Go's regexp.Expand of `template` for a match (named and numbered groups, `$$`). */
export function expandGo(template: string, match: RegExpExecArray): string {
  return template.replace(
    /\$(\$|\{([a-zA-Z0-9_]+)\}|([a-zA-Z0-9_]+))/g,
    (_all, dollar: string, braced?: string, bare?: string) => {
      if (dollar === '$') return '$';
      const ref = braced ?? bare!;
      if (/^\d+$/.test(ref)) return match[Number(ref)] ?? '';
      return match.groups?.[ref] ?? '';
    },
  );
}

function groupCount(re: RegExp): number {
  return new RegExp(`${re.source}|`).exec('')!.length - 1;
}

/** A rule's selector and name mapping (discovery steps 1 and 2, the request aside), or why the adapter refuses it. */
type NameStage = { sel: Selector; matches: RegExp; as: string } | { problem: string };

function nameStage(r: Record<string, unknown>, seriesQuery: string): NameStage {
  const sel = parseSelector(seriesQuery);
  if (!sel)
    return {
      problem: `seriesQuery ${JSON.stringify(seriesQuery)} is not a series selector such as name{namespace!=""}`,
    };
  const name = isRecord(r.name) ? r.name : {};
  let matches: RegExp;
  try {
    matches = new RegExp(typeof name.matches === 'string' && name.matches !== '' ? name.matches : '.*');
  } catch (e) {
    return { problem: `name.matches is not a valid regular expression: ${(e as Error).message}` };
  }
  let as = typeof name.as === 'string' && name.as !== '' ? name.as : undefined;
  if (as === undefined) {
    const n = groupCount(matches);
    if (n > 1)
      return { problem: `name.matches ${matches.source} has ${n} groups and no name.as: the adapter refuses the rule` };
    as = n === 1 ? '$1' : '$0';
  }
  return { sel, matches, as };
}

/** Pure: whether one discovery rule serves `req`, and if not, why. */
export function judgeRule(rule: unknown, label: string, req: MetricRequest): RuleVerdict {
  const r = isRecord(rule) ? rule : {};
  const seriesQuery = typeof r.seriesQuery === 'string' ? r.seriesQuery : '';
  const verdict = (served: string | undefined, problem?: string): RuleVerdict => ({
    rule: label,
    seriesQuery,
    ...(served !== undefined ? { served } : {}),
    ...(problem ? { problem } : {}),
  });
  // 1. series, 2. name mapping
  const stage = nameStage(r, seriesQuery);
  if ('problem' in stage) return verdict(undefined, stage.problem);
  const { sel, matches, as } = stage;
  const seriesName =
    sel.name ??
    (sel.nameRegex !== undefined && new RegExp(`^(?:${sel.nameRegex})$`).test(req.name) ? req.name : undefined);
  let served: string | undefined;
  if (seriesName === undefined) {
    // The series names are open: the rule serves req.name if some series could be renamed into it.
    served = !as.includes('$') ? as : undefined;
    if (served !== req.name)
      return verdict(
        served,
        `seriesQuery ${JSON.stringify(seriesQuery)} names no series this model can follow to "${req.name}"`,
      );
  } else {
    const found = matches.exec(seriesName);
    if (!found)
      return verdict(
        undefined,
        `name.matches ${JSON.stringify(matches.source)} does not match the series ${seriesName} of seriesQuery, so the adapter drops every series of this rule`,
      );
    served = expandGo(as, found);
    if (served !== req.name)
      return verdict(
        served,
        `series ${seriesName} is served as "${served}" (name.as ${JSON.stringify(as)}), not "${req.name}"`,
      );
  }
  // 3. resource mapping
  const resources = isRecord(r.resources) ? r.resources : {};
  const overrides = isRecord(resources.overrides) ? resources.overrides : {};
  const labelFor = new Map<string, string>();
  for (const [lbl, gr] of Object.entries(overrides)) {
    if (!isRecord(gr) || typeof gr.resource !== 'string') continue;
    labelFor.set(normalise(typeof gr.group === 'string' ? gr.group : '', gr.resource), lbl);
  }
  const template = typeof resources.template === 'string' ? resources.template : undefined;
  const labelOf = (grKey: string): string | undefined => {
    const direct = labelFor.get(grKey);
    if (direct || !template) return direct;
    const [plural, ...group] = grKey.split('.');
    const singular = plural!
      .replace(/ies$/, 'y')
      .replace(/(x|ch|sh|ss)es$/, '$1')
      .replace(/s$/, '');
    return template
      .replace(/<<\s*\.Group\s*>>/g, group.join('.').replace(/[.-]/g, '_'))
      .replace(/<<\s*\.Resource\s*>>/g, singular);
  };
  const absent = (lbl: string) => sel.matchers.some((x) => x.label === lbl && x.op === '=' && x.value === '');
  const needed = requestedResource(req);
  // External (naming.BuildExternal): a namespaced rule (the default) adds the HPA's namespace as a matcher on
  // the label mapped to namespaces; without one the adapter's query fails. `namespaced: false` needs none.
  const externalNamespaced = req.type === 'External' && resources.namespaced !== false;
  const wanted =
    req.type === 'External'
      ? externalNamespaced
        ? ['namespaces']
        : []
      : [...(needed && !CLUSTER_SCOPED.has(needed) ? ['namespaces'] : []), ...(needed ? [needed] : [])];
  for (const gr of wanted) {
    const lbl = labelOf(gr);
    const what =
      gr === 'pods'
        ? 'the pods'
        : gr === 'namespaces'
          ? 'the namespace'
          : `the described ${req.describedObject?.kind} (${gr})`;
    if (!lbl && externalNamespaced) {
      return verdict(
        served,
        `resources maps no series label to namespaces, but the rule is namespaced (the default for externalRules), so the adapter cannot add the HPA's namespace to the query for "${req.name}": map one (resources.overrides.namespace: {resource: namespace}) or set resources.namespaced: false`,
      );
    }
    if (!lbl) {
      return verdict(
        served,
        `resources maps no series label to ${gr} (${what}), so the adapter does not register "${req.name}" for it: expected resources.overrides.<label>: {${gr.includes('.') ? `group: ${gr.split('.').slice(1).join('.')}, ` : ''}resource: ${gr.split('.')[0]}}`,
      );
    }
    if (absent(lbl))
      return verdict(
        served,
        `seriesQuery requires ${lbl}="" while ${lbl} is the label of ${gr}: the series carry no ${gr}`,
      );
  }
  return verdict(served);
}

/** Pure: the verdicts of every rule of an adapter configuration for `req` (rules, customRules; externalRules for External). */
export function judgeConfig(config: unknown, req: MetricRequest): RuleVerdict[] {
  if (!isRecord(config)) return [];
  const keys = req.type === 'External' ? ['externalRules'] : ['rules', 'customRules'];
  return keys.flatMap((k) =>
    (Array.isArray(config[k]) ? config[k] : []).map((rule, i) => judgeRule(rule, `${k}[${i}]`, req)),
  );
}

/** The name a rule serves whatever the request (undefined: none), or OPEN when it depends on the name asked for. */
const OPEN = Symbol('open');
function servedName(rule: unknown): string | undefined | typeof OPEN {
  const r = isRecord(rule) ? rule : {};
  const stage = nameStage(r, typeof r.seriesQuery === 'string' ? r.seriesQuery : '');
  if ('problem' in stage) return undefined;
  const { sel, matches, as } = stage;
  // As in judgeRule: a fixed series name is renamed by name.matches/as; a `__name__=~` selector takes the
  // requested name when it matches (so the result depends on it); otherwise only a constant name.as names it.
  if (sel.name !== undefined) {
    const found = matches.exec(sel.name);
    return found ? expandGo(as, found) : undefined;
  }
  if (sel.nameRegex !== undefined) return OPEN;
  return !as.includes('$') ? as : undefined;
}

/** Rules of one list by the name they serve; OPEN ones apart. Kept per list while the configuration lives. */
const INDEX = new WeakMap<unknown[], { byName: Map<string, number[]>; open: number[] }>();
function indexOf(rules: unknown[]): { byName: Map<string, number[]>; open: number[] } {
  let index = INDEX.get(rules);
  if (index) return index;
  index = { byName: new Map(), open: [] };
  rules.forEach((rule, i) => {
    const name = servedName(rule);
    if (name === OPEN) index!.open.push(i);
    else if (name !== undefined) {
      const at = index!.byName.get(name);
      if (at) at.push(i);
      else index!.byName.set(name, [i]);
    }
  });
  INDEX.set(rules, index);
  return index;
}

/**
 * Pure: whether some rule of an adapter configuration serves `req`, the same answer as a verdict of
 * judgeConfig without a problem. Only the rules that can yield req.name are judged: a cluster's adapter has a
 * rule or two per service, and judging every rule for every metric grew with the square of the services.
 */
export function configServes(config: unknown, req: MetricRequest): boolean {
  if (!isRecord(config)) return false;
  for (const k of req.type === 'External' ? ['externalRules'] : ['rules', 'customRules']) {
    const rules = config[k];
    if (!Array.isArray(rules)) continue;
    const { byName, open } = indexOf(rules);
    for (const i of [...(byName.get(req.name) ?? []), ...open])
      if (!judgeRule(rules[i], `${k}[${i}]`, req).problem) return true;
  }
  return false;
}
