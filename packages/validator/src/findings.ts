// The one result shape of the validator: findings are data (the `--output json` contract, see README.md).

import type { CheckId } from './checks/registry.js';

export type Severity = 'error' | 'warning';

/** Identity of a Kubernetes object a finding is about. */
export interface ResourceRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** One problem. `path` is a JSON pointer into `resource`; `file:line:column` is where a person fixes it. */
export interface Finding {
  /** A check of the registry (src/checks/registry.ts): a closed type. */
  check: CheckId;
  severity: Severity;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  env?: string;
  service?: string;
  resource?: ResourceRef;
  path?: string;
  /**
   * Further places that explain the finding: when `file:line` is where a value was set (an overlay, the
   * catalog, an Application), the chart template that produced the object follows here.
   */
  related?: RelatedLocation[];
}

export interface RelatedLocation {
  file: string;
  line?: number;
  column?: number;
  message?: string;
}

/** `file:line:column` of a related location. */
export function relatedLabel(r: RelatedLocation): string {
  return `${r.file}:${r.line ?? 1}:${r.column ?? 1}${r.message ? ` (${r.message})` : ''}`;
}

export interface Summary {
  resources: number;
  errors: number;
  warnings: number;
}

export interface ValidationResult {
  summary: Summary;
  findings: Finding[];
}

/** Pure: counts and orders findings into the result every reporter prints. */
export function buildResult(findings: Finding[], resources: number): ValidationResult {
  const sorted = sortFindings(dedupeFindings(findings));
  return {
    summary: {
      resources,
      errors: sorted.filter((f) => f.severity === 'error').length,
      warnings: sorted.filter((f) => f.severity === 'warning').length,
    },
    findings: sorted,
  };
}

export function resourceLabel(r: ResourceRef): string {
  return `${r.kind}${r.namespace ? ` ${r.namespace}/` : ' '}${r.name} (${r.apiVersion})`;
}

const cmp = (a: string | number | undefined, b: string | number | undefined): number => {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1;
};

/** Stable order: file, line, column, env, resource, check, message. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      cmp(a.file, b.file) ||
      cmp(a.line, b.line) ||
      cmp(a.column, b.column) ||
      cmp(a.env, b.env) ||
      cmp(a.resource && resourceLabel(a.resource), b.resource && resourceLabel(b.resource)) ||
      cmp(a.path, b.path) ||
      cmp(a.check, b.check) ||
      cmp(a.message, b.message),
  );
}

/** The same finding reached twice (e.g. a chart file checked once per environment) counts once. */
export function dedupeFindings(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = JSON.stringify([
      f.check,
      f.severity,
      f.message,
      f.file,
      f.line,
      f.column,
      f.env,
      f.service,
      f.resource,
      f.path,
      f.related,
    ]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** JSON pointer (RFC 6901) from path segments. */
export function toPointer(path: ReadonlyArray<string | number>): string {
  return path.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** Path segments from a JSON pointer. */
export function fromPointer(pointer: string): Array<string | number> {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}
