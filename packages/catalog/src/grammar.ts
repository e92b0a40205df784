import { RE2JS } from 're2js';

// The grammars of every string the catalog, the overlays and the command lines hand to a consumer
// (helm, the API server, Argo CD, the CMSWEB frontend, a container registry), defined once. Each is the
// consumer's own rule: a value that passes here is one the consumer accepts, and nothing in it can
// break out of the generated file it lands in (no newline, no control character, no shell syntax).

/** DNS-1123 label (Kubernetes object names, namespaces, service names): lowercase alphanumerics and "-", at most 63. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_LABEL_MAX = 63;
/** Helm release names (= service names) are at most 53 characters. */
export const SERVICE_NAME_MAX = 53;
/** DNS-1123 subdomain (host names, cluster names): dot-separated labels, at most 253 characters. */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS_SUBDOMAIN_MAX = 253;
/** Environment names (dev, preprod, prod): a DNS label that starts with a letter. */
export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,62}$/;
/** Kubernetes versions the tools render and validate for (the reference schemas: 1.30 to 1.36). */
export const KUBERNETES_VERSIONS = ['1.30', '1.31', '1.32', '1.33', '1.34', '1.35', '1.36'] as const;
/** The problem with a Kubernetes version, listing the accepted ones; undefined when supported. */
export function kubernetesVersionProblem(v: string): string | undefined {
  return (KUBERNETES_VERSIONS as readonly string[]).includes(v)
    ? undefined
    : `is not a supported Kubernetes version: expected one of ${KUBERNETES_VERSIONS.join(', ')}`;
}
/** The OCI distribution spec's tag grammar. */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** An image digest as the charts pin it. */
export const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;

// The distribution reference grammar (github.com/distribution/reference, regexp.go): a repository is
// [domain[:port]/]path-component(/path-component)*, path components lowercase.
const DOMAIN_COMPONENT = '(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])'; // lowercase: registries are case-insensitive, the repository is not
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?)`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
/** An image repository without tag or digest, e.g. registry.cern.ch/cmsweb/dbs (at most 255 characters). */
export const IMAGE_REPOSITORY = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
/** A full image reference: repository, optional :tag, optional @sha256:digest. */
export const IMAGE_REFERENCE = new RegExp(
  `^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`,
);
/** A registry prefix: a domain with optional port and path, e.g. registry.cern.ch/cmsweb. */
export const IMAGE_REGISTRY = new RegExp(`^${DOMAIN}(?:/${PATH_COMPONENT})*$`);

/** Kubernetes label value: empty, or up to 63 alphanumerics with "-", "_", "." inside. */
export const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** Kubernetes label key: optional DNS-subdomain prefix and "/", then a name of up to 63 characters. */
export const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** A URL path prefix the frontend routes: "/" then RFC 3986 path characters (no space, quote, "?", "#"). */
export const URL_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;
/** An absolute file path in a container: "/" then printable characters without whitespace. */
export const ABSOLUTE_PATH = /^\/[^\s\u0000-\u001f\u007f]*$/;
/** A git branch name (git check-ref-format, simplified to the safe subset). */
export const GIT_BRANCH = /^(?!\/|.*\/\/|.*\.\.|.*@\{|.*\.lock$|.*\/$|.*\.$)[A-Za-z0-9._/-]+$/;

/** Characters never allowed in a catalog string: C0 controls but tab and newline, DEL, C1 controls, line/paragraph separators. */
export const CONTROL_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

/** How a control character is shown in a message: its code point, never the raw character. */
export function describeCharacter(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * A Git repository URL as Argo CD and Flux fetch it: https://, http://, ssh:// or git:// with a host, or
 * scp-like user@host:path. Returns the problem, or undefined when it is one.
 */
export function repoUrlProblem(url: string): string | undefined {
  if (/\s/.test(url) || CONTROL_CHARACTER.test(url)) return 'contains whitespace or a control character';
  if (/^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[A-Za-z0-9._~/-]+$/.test(url)) return undefined; // git@github.com:org/repo.git
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (!['https:', 'http:', 'ssh:', 'git:'].includes(parsed.protocol))
    return `has scheme ${parsed.protocol.replace(/:$/, '')}`;
  if (!parsed.hostname) return 'has no host';
  if (!/^[A-Za-z0-9._~/%-]*$/.test(parsed.pathname)) return 'has characters a repository path does not use';
  if (parsed.search || parsed.hash) return 'has a query or fragment';
  return undefined;
}

/**
 * Compiles a pattern in RE2 syntax (Go's regexp: the CMSWEB frontend, prometheus-adapter) with a
 * linear-time engine, so that a user pattern such as ^(a|aa)+$ can never backtrack catastrophically.
 * Returns the problem, or undefined when it compiles.
 */
export function re2Problem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (e) {
    return (e as Error).message.replace(/^error parsing regexp: /, '');
  }
}

/** A user-supplied pattern (a tag policy) on RE2's linear-time engine: `test` runs in time linear in the input. */
export interface UserPattern {
  source: string;
  test(input: string): boolean;
}

/** Compiles a user-supplied pattern with RE2 semantics (search anywhere, like RegExp#test); throws on invalid syntax. */
export function compileUserPattern(pattern: string): UserPattern {
  const re = RE2JS.compile(pattern);
  return { source: pattern, test: (input) => re.matcher(input).find() };
}

const CRON_FIELDS: Array<{ name: string; min: number; max: number; names?: string[] }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { name: 'day of week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];
const CRON_DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/**
 * The problem of a CronJob schedule as the API server sees it (robfig/cron's standard parser: five fields
 * or a descriptor such as @daily or `@every 1h`; a `TZ=`/`CRON_TZ=` prefix is refused on create since the
 * timeZone field exists), or undefined when it parses.
 */
export function cronScheduleProblem(schedule: string): string | undefined {
  const s = schedule.trim();
  if (/^(CRON_)?TZ=/.test(s)) return 'names a time zone with TZ=/CRON_TZ=, which the API server refuses: use timeZone';
  if (s.startsWith('@')) {
    if (CRON_DESCRIPTORS.includes(s)) return undefined;
    if (/^@every [0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h)([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))*$/.test(s))
      return undefined;
    return `is an unknown descriptor (known: ${CRON_DESCRIPTORS.join(', ')}, @every <duration>)`;
  }
  const fields = s.split(/\s+/);
  if (fields.length !== 5)
    return `has ${fields.length} field(s); expected 5: minute hour day-of-month month day-of-week`;
  for (let i = 0; i < 5; i++) {
    const f = CRON_FIELDS[i]!;
    for (const part of fields[i]!.split(',')) {
      const p = cronPartProblem(part, f);
      if (p) return `has ${f.name} "${fields[i]}", which ${p}`;
    }
  }
  return undefined;
}

function cronPartProblem(part: string, f: (typeof CRON_FIELDS)[number]): string | undefined {
  const [range, step, ...rest] = part.split('/');
  if (rest.length || range === undefined || range === '') return 'is not a value, range or step';
  if (step !== undefined && !/^[0-9]+$/.test(step)) return `has step "${step}", not a number`;
  if (step !== undefined && Number(step) === 0) return 'has step 0';
  if (range === '*' || range === '?') return undefined;
  const value = (v: string): number | undefined => {
    if (/^[0-9]+$/.test(v)) return Number(v);
    const i = f.names?.indexOf(v.toUpperCase()) ?? -1;
    return i >= 0 ? i + f.min : undefined;
  };
  const bounds = range.split('-');
  if (bounds.length > 2) return 'is not a value or range';
  const nums = bounds.map(value);
  if (nums.some((n) => n === undefined)) return `is not a number${f.names ? ' or name' : ''}`;
  if (nums.some((n) => n! < f.min || n! > f.max)) return `is outside ${f.min}-${f.max}`;
  if (nums.length === 2 && nums[0]! > nums[1]!) return 'is a range whose start is after its end';
  return undefined;
}

/**
 * The problem of a CronJob timeZone as the API server checks it (an IANA name Go's time.LoadLocation knows;
 * not "Local", not empty), or undefined. Uses the IANA database of this Node.js (ICU).
 */
export function timeZoneProblem(tz: string): string | undefined {
  if (tz === '') return 'is empty: leave timeZone out instead';
  if (tz.toLowerCase() === 'local') return 'is "Local"; expected an explicit IANA time zone such as Europe/Zurich';
  if (tz.split('/').some((p) => p === '.' || p === '..' || p.startsWith('-') || !/^[A-Za-z0-9_+-]+$/.test(p)))
    return 'is not an IANA time zone name';
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return undefined;
  } catch {
    return 'is not a time zone of the IANA database (e.g. Europe/Zurich, UTC)';
  }
}
