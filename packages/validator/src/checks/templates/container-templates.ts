import { parseQuantity } from '@cmsweb/catalog/rules';
import { isRecord } from '../../resources.js';
import type { CheckTemplate, Issue, ObjectSetView } from '../check.js';
import { LONG_RUNNING, type ContainerRef } from '../workloads.js';

// Per-container templates: each runs over every container of every pod template in the object set.

function eachContainer(
  objects: ObjectSetView,
  kinds: string[] | undefined,
  includeInit: boolean,
  fn: (c: ContainerRef) => Issue | Issue[] | undefined,
): Issue[] {
  const out: Issue[] = [];
  for (const pod of objects.pods()) {
    if (kinds && !kinds.includes(pod.resource.ref.kind)) continue;
    for (const c of objects.containers(pod, includeInit)) {
      const issue = fn(c);
      if (Array.isArray(issue)) out.push(...issue);
      else if (issue) out.push(issue);
    }
  }
  return out;
}

const label = (c: ContainerRef) => `${c.init ? 'init container' : 'container'} "${c.name}"`;

/**
 * A container field that must be present (probes). Params: field, what (human name), kinds (default:
 * long-running workloads), servingOnly (only containers that declare ports, i.e. receive traffic).
 */
export const containerFieldPresent: CheckTemplate = {
  name: 'container-field-present',
  description: 'every (non-init) container of the given workload kinds sets a field',
  crossObject: false,
  params: {
    field: { type: 'string', required: true, description: 'the container field that must be set (e.g. livenessProbe)' },
    what: { type: 'string', description: 'how the message names the field' },
    kinds: { type: 'string[]', description: 'workload kinds looked at (default: the long-running ones)' },
    servingOnly: { type: 'boolean', description: 'only containers that declare ports' },
  },
  run(params, objects) {
    const field = String(params.field);
    const kinds = (params.kinds as string[] | undefined) ?? LONG_RUNNING;
    const servingOnly = Boolean(params.servingOnly);
    return eachContainer(objects, kinds, false, (c) =>
      c.container[field] === undefined &&
      (!servingOnly || (Array.isArray(c.container.ports) && c.container.ports.length > 0))
        ? {
            resource: c.pod.resource,
            path: c.path,
            message: `${label(c)} has no ${field}: expected a ${String(params.what ?? field)}`,
          }
        : undefined,
    );
  },
};

/** Requests and limits set for each resource name. Params: resources (e.g. [cpu, memory]). */
export const containerResources: CheckTemplate = {
  name: 'container-resources',
  description: 'every container sets requests and limits for the given resources',
  crossObject: false,
  params: {
    resources: {
      type: 'string[]',
      description: 'resource names every container requests and limits (default cpu, memory)',
    },
  },
  run(params, objects) {
    const names = (params.resources as string[]) ?? ['cpu', 'memory'];
    return eachContainer(objects, undefined, true, (c) => {
      const res = isRecord(c.container.resources) ? c.container.resources : {};
      const missing: string[] = [];
      for (const kind of ['requests', 'limits']) {
        const list = isRecord(res[kind]) ? (res[kind] as Record<string, unknown>) : {};
        for (const n of names) if (list[n] === undefined) missing.push(`${kind}.${n}`);
      }
      return missing.length
        ? {
            resource: c.pod.resource,
            path: [...c.path, 'resources'],
            message: `${label(c)} does not set resources ${missing.join(', ')}: expected requests and limits for ${names.join(' and ')}`,
          }
        : undefined;
    });
  },
};

/** limits >= requests for each resource that sets both. */
export const limitsAboveRequests: CheckTemplate = {
  name: 'limits-above-requests',
  description: 'where a container sets both, its limit is at least its request',
  crossObject: false,
  params: {},
  run(_params, objects) {
    return eachContainer(objects, undefined, true, (c) => {
      const res = isRecord(c.container.resources) ? c.container.resources : {};
      const req = isRecord(res.requests) ? res.requests : {};
      const lim = isRecord(res.limits) ? res.limits : {};
      const out: Issue[] = [];
      for (const [name, l] of Object.entries(lim)) {
        const r = req[name];
        if (
          r === undefined ||
          (typeof r !== 'string' && typeof r !== 'number') ||
          (typeof l !== 'string' && typeof l !== 'number')
        )
          continue;
        if (parseQuantity(l) < parseQuantity(r)) {
          out.push({
            resource: c.pod.resource,
            path: [...c.path, 'resources', 'limits', name],
            message: `${label(c)} has limits.${name} ${l} below requests.${name} ${r}: expected limits >= requests`,
          });
        }
      }
      return out;
    });
  },
};

/** Splits an image reference into repository, tag and digest. */
export function parseImage(image: string): { repository: string; tag?: string; digest?: string } {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const name = at >= 0 ? image.slice(0, at) : image;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > slash ? name.slice(colon + 1) : undefined;
  return { repository: colon > slash ? name.slice(0, colon) : name, tag, digest };
}

/** Image has a tag (or a digest) and the tag is not a moving one. Params: forbiddenTags. */
export const imageTag: CheckTemplate = {
  name: 'image-tag',
  description: 'every container image names a fixed tag or a digest',
  crossObject: false,
  params: { forbiddenTags: { type: 'string[]', description: 'tags refused unless pinned by digest (default latest)' } },
  run(params, objects) {
    const forbidden = (params.forbiddenTags as string[]) ?? ['latest'];
    return eachContainer(objects, undefined, true, (c) => {
      const image = c.container.image;
      if (typeof image !== 'string' || image.trim() === '')
        return { resource: c.pod.resource, path: c.path, message: `${label(c)} has no image` };
      const { tag, digest } = parseImage(image.trim());
      if (digest) return undefined;
      if (!tag)
        return {
          resource: c.pod.resource,
          path: [...c.path, 'image'],
          message: `${label(c)} image "${image}" has no tag, so it runs whatever "latest" is: expected a fixed tag or @sha256 digest`,
        };
      if (forbidden.includes(tag))
        return {
          resource: c.pod.resource,
          path: [...c.path, 'image'],
          message: `${label(c)} image "${image}" uses the moving tag "${tag}": expected a fixed tag or @sha256 digest`,
        };
      return undefined;
    });
  },
};

/** Privileged containers or containers running as root, unless the catalog allows it for the service. Params: property. */
export const containerSecurity: CheckTemplate = {
  name: 'container-security',
  description: 'containers are not privileged / do not run as root unless the catalog allows it',
  crossObject: false,
  params: {
    property: {
      type: 'string',
      required: true,
      oneOf: ['privileged', 'runAsRoot'],
      description: 'the securityContext property the catalog must allow',
    },
  },
  run(params, objects, context) {
    const property = params.property as 'privileged' | 'runAsRoot';
    return eachContainer(objects, undefined, true, (c) => {
      const service = c.pod.resource.service;
      if (service && context.allowances[service]?.[property]) return undefined;
      const sc = isRecord(c.container.securityContext) ? c.container.securityContext : {};
      const psc = isRecord(c.pod.spec.securityContext) ? c.pod.spec.securityContext : {};
      const allowHint = service ? ` (or allow it in catalog/services/${service}.yaml securityContext)` : '';
      if (property === 'privileged') {
        return sc.privileged === true
          ? {
              resource: c.pod.resource,
              path: [...c.path, 'securityContext', 'privileged'],
              message: `${label(c)} is privileged: expected privileged unset or false${allowHint}`,
            }
          : undefined;
      }
      const user = sc.runAsUser ?? psc.runAsUser;
      const nonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
      if (user === 0) {
        const where =
          sc.runAsUser !== undefined
            ? [...c.path, 'securityContext', 'runAsUser']
            : [...c.pod.path, 'spec', 'securityContext', 'runAsUser'];
        return {
          resource: c.pod.resource,
          path: where,
          message: `${label(c)} runs as root (runAsUser 0): expected a non-zero runAsUser${allowHint}`,
        };
      }
      if (user === undefined && nonRoot !== true) {
        return {
          resource: c.pod.resource,
          path: c.path,
          message: `${label(c)} sets neither runAsUser nor runAsNonRoot, so it runs as the image's user (root in most images): expected runAsNonRoot: true or a non-zero runAsUser${allowHint}`,
        };
      }
      return undefined;
    });
  },
};

/**
 * The hardening a container lacks: a seccomp profile (its own or the pod's), capabilities.drop with ALL, and
 * readOnlyRootFilesystem: true. Params: require (which of seccomp, dropAll, readOnlyRoot are expected).
 */
export const containerHardening: CheckTemplate = {
  name: 'container-hardening',
  description: 'every container runs with a seccomp profile, all capabilities dropped and a read-only root filesystem',
  crossObject: false,
  params: {
    require: {
      type: 'string[]',
      description: 'the hardening expected: seccomp, dropAll, readOnlyRoot (default all three)',
    },
  },
  run(params, objects) {
    const required = (params.require as string[] | undefined) ?? ['seccomp', 'dropAll', 'readOnlyRoot'];
    return eachContainer(objects, undefined, true, (c) => {
      const sc = isRecord(c.container.securityContext) ? c.container.securityContext : {};
      const psc = isRecord(c.pod.spec.securityContext) ? c.pod.spec.securityContext : {};
      const missing: string[] = [];
      const seccomp = isRecord(sc.seccompProfile)
        ? sc.seccompProfile
        : isRecord(psc.seccompProfile)
          ? psc.seccompProfile
          : undefined;
      if (required.includes('seccomp') && (!seccomp || seccomp.type === 'Unconfined'))
        missing.push('seccompProfile (RuntimeDefault)');
      const drop = isRecord(sc.capabilities) && Array.isArray(sc.capabilities.drop) ? sc.capabilities.drop : [];
      if (required.includes('dropAll') && !drop.some((d) => String(d).toUpperCase() === 'ALL'))
        missing.push('capabilities.drop [ALL]');
      if (required.includes('readOnlyRoot') && sc.readOnlyRootFilesystem !== true)
        missing.push('readOnlyRootFilesystem: true');
      return missing.length
        ? {
            resource: c.pod.resource,
            path: isRecord(c.container.securityContext) ? [...c.path, 'securityContext'] : c.path,
            message: `${label(c)} lacks ${missing.join(', ')}: expected them in its securityContext (catalog securityContext, or the sidecar's)`,
          }
        : undefined;
    });
  },
};
