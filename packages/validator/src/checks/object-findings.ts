import { toPointer, type Finding, type Severity } from '../findings.js';
import type { CheckId } from './registry.js';
import { annotationsOf, type Resource } from '../resources.js';

/**
 * The check ids `resource` opts out of: annotation `ignoreAnnotation` (PolicyContext.ignoreAnnotation,
 * `validator.<annotationDomain>/ignore`), e.g. `validator.shop.example.com/ignore: image-tag,run-as-root`.
 */
export function ignoredChecks(resource: Resource, ignoreAnnotation: string): Set<string> {
  const v = annotationsOf(resource.object)[ignoreAnnotation];
  return new Set(
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

/** A finding about a field of an object, at the position of that field; undefined when the object opts out. */
export function objectFinding(
  check: CheckId,
  severity: Severity,
  resource: Resource,
  path: ReadonlyArray<string | number>,
  message: string,
  ignoreAnnotation: string,
): Finding | undefined {
  const ignored = ignoredChecks(resource, ignoreAnnotation);
  if (ignored.has(check) || ignored.has('*')) return undefined;
  const loc = resource.source.locate(path);
  const f: Finding = {
    check,
    severity,
    message,
    file: loc.file ?? resource.source.file,
    line: loc.line,
    column: loc.column,
    resource: resource.ref,
  };
  if (path.length) f.path = toPointer(path);
  // A value a person set elsewhere (overlay, catalog) is reported there; the template that rendered it follows.
  const origin = path.length ? resource.source.origin?.(path) : undefined;
  if (origin) {
    f.file = origin.file;
    f.line = origin.line;
    f.column = origin.column;
    f.related = [
      {
        file: loc.file ?? resource.source.file,
        line: loc.line,
        column: loc.column,
        message: 'the chart template that renders it',
      },
      ...origin.via,
    ];
  }
  if (resource.env) f.env = resource.env;
  if (resource.service) f.service = resource.service;
  return f;
}
