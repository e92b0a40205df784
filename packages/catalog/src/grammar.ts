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
