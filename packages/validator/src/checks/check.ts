import type { Severity } from '../findings.js';
import type { Resource } from '../resources.js';
import type { ContainerRef, PodTemplate } from './workloads.js';

/**
 * The ignore annotation when no catalog names the annotation domain (chart or manifests mode outside a
 * repository): the validator's historical name, so existing opt-outs keep working.
 */
export const DEFAULT_IGNORE_ANNOTATION = 'validator.cmsweb.cern.ch/ignore';

/**
 * What a check looks at, which decides how it runs and how its fixtures are written:
 * - `source`: YAML files as text (test/fixtures/checks/<id>/{fires,passes}.yaml, validated as manifests)
 * - `object`: Kubernetes objects, alone or together (fixture: {fires,passes}.yaml, plus context.yaml)
 * - `chart`: a Helm chart (fixture: {fires,passes}/ chart directories)
 * - `catalog`: the service catalog (fixture: {fires,passes}/ holding services/*.yaml, optional cluster.yaml)
 * - `repository`: environments, overlays, Argo CD applications (fixture: {fires,passes}/ small repositories)
 */
export type CheckScope = 'source' | 'object' | 'chart' | 'catalog' | 'repository';

export interface CheckDefinition<I extends string = string> {
  id: I;
  severity: Severity;
  scope: CheckScope;
  description: string;
  remediation: string;
  /** Policy checks: the template that implements the check and its parameters (kube-linter style). */
  template?: string;
  params?: Readonly<Record<string, unknown>>;
}

/**
 * A template parameter: its type, whether a check must give it, what it means. The registry validates
 * each check's parameters against these when it loads (src/checks/registry-validation.ts).
 */
export interface ParamSpec {
  type: 'string' | 'string[]' | 'boolean' | 'regexp';
  required?: boolean;
  /** Allowed values (type string). */
  oneOf?: readonly string[];
  description: string;
}

export interface FrontendPeer {
  namespace: string;
  podLabels: Record<string, string>;
}

/** Repository knowledge policy checks may use; absent parts make the checks that need them stand down. */
export interface PolicyContext {
  /**
   * True when the objects are everything that runs in their namespaces (a rendered environment or chart),
   * so a missing target is a fault. In manifests mode (false) only a target found elsewhere is reported.
   */
  complete: boolean;
  /**
   * True when the cluster-level objects (environments/<env>/cluster: the Prometheus Adapter rules, the
   * frontend rules) are among the objects, so a missing adapter rule is a fault (repository mode only).
   */
  clusterObjects: boolean;
  /** Host paths pods may mount (catalog/cluster.yaml allowedHostPaths). */
  allowedHostPaths: string[];
  /**
   * The annotation listing check ids an object opts out of: `validator.<annotationDomain>/ignore` of the
   * catalog's cluster (object-findings.ts DEFAULT_IGNORE_ANNOTATION without a catalog).
   */
  ignoreAnnotation: string;
  /** Per catalog service: what its securityContext allows (privileged, runAsUser 0). */
  allowances: Record<string, { privileged: boolean; runAsRoot: boolean }>;
  /**
   * The pods forwarding the frontend's traffic, which every routed backend must admit: per environment
   * (catalog cluster.yaml frontend.peers), else `default`.
   */
  frontend?: {
    default: FrontendPeer[];
    environments: Record<string, FrontendPeer[]>;
  };
  /** Catalog services the frontend forwards to (they have urlPrefixes). */
  routedServices: string[];
  /**
   * Per environment: URLs the frontend must route and where (from the catalog: urlPrefixes, urlQuery, VM
   * hosts of that environment), and the catch-all hosts of unclaimed URLs (undefined: none).
   */
  frontendRoutes?: Record<string, FrontendTable>;
}

export interface FrontendTable {
  routes: Array<{ service: string; url: string; hosts: string[] }>;
  /** A URL no service claims, and where it must go (no hosts: nowhere, no rule may match it). */
  unclaimed: { url: string; hosts: string[] };
}

export const EMPTY_CONTEXT: PolicyContext = {
  complete: false,
  clusterObjects: false,
  allowedHostPaths: [],
  ignoreAnnotation: DEFAULT_IGNORE_ANNOTATION,
  allowances: {},
  routedServices: [],
};

/** One problem a template found: the object, a path into it, and what is wrong (and what is expected). */
export interface Issue {
  resource: Resource;
  path: ReadonlyArray<string | number>;
  message: string;
}

export interface CheckTemplate {
  name: string;
  description: string;
  /** True when the template relates objects to each other (needs the whole set at once). */
  crossObject: boolean;
  /** Every parameter the template reads (a check giving another one is refused when the registry loads). */
  params: Readonly<Record<string, ParamSpec>>;
  run(params: Readonly<Record<string, unknown>>, objects: ObjectSetView, context: PolicyContext): Issue[];
  /**
   * Cross-object templates: every part of an object `run` reads besides its identity (ref, file), as data.
   * Manifests mode keeps only these parts of each object once its own checks are done (object-facts.ts); a
   * cross-object template without it keeps whole objects (fail closed).
   */
  reads?(params: Readonly<Record<string, unknown>>): readonly ObjectRead[];
}

/**
 * Parts of objects a template reads: for objects of `kinds` (every kind when absent), the values at `paths`,
 * whole. A segment `*` stands for every element of a list or every key of a map.
 */
export interface ObjectRead {
  kinds?: readonly string[];
  paths: ReadonlyArray<ReadonlyArray<string>>;
}

/** Read-only view of the objects validated together, with the lookups cross-object checks need. */
export interface ObjectSetView {
  all: readonly Resource[];
  byKind(kind: string): readonly Resource[];
  find(kind: string, namespace: string | undefined, name: string): Resource | undefined;
  findAnyNamespace(kind: string, name: string): Resource[];
  /** The pod templates of the workloads among `all`, in order, built once per object set (shared: read-only). */
  pods(): readonly PodTemplate[];
  /** containersOf(pod, includeInit), built once per object set (shared: read-only). */
  containers(pod: PodTemplate, includeInit?: boolean): readonly ContainerRef[];
}
