import { isRecord, type Resource } from '../resources.js';
import type { ObjectRead } from './check.js';
import { containersOf, podSpecReads, podTemplateOf } from './workloads.js';

export interface SecretRef {
  name: string;
  path: Array<string | number>;
}

/** What secretRefsOf reads (ObjectRead data, see object-facts.ts). */
export const SECRET_REF_READS: readonly ObjectRead[] = podSpecReads([
  ['volumes'],
  ['imagePullSecrets'],
  ...['containers', 'initContainers'].flatMap((list) => [
    [list, '*', 'env'],
    [list, '*', 'envFrom'],
  ]),
]);

/** Pure: every Secret a workload's pod template references (volumes, projected volumes, env, envFrom, image pull). */
export function secretRefsOf(resource: Resource): SecretRef[] {
  const pod = podTemplateOf(resource);
  if (!pod) return [];
  const out: SecretRef[] = [];
  const spec = [...pod.path, 'spec'];
  (Array.isArray(pod.spec.volumes) ? pod.spec.volumes : []).forEach((v, i) => {
    if (!isRecord(v)) return;
    if (isRecord(v.secret) && typeof v.secret.secretName === 'string')
      out.push({ name: v.secret.secretName, path: [...spec, 'volumes', i, 'secret', 'secretName'] });
    const sources = isRecord(v.projected) && Array.isArray(v.projected.sources) ? v.projected.sources : [];
    sources.forEach((s, j) => {
      if (isRecord(s) && isRecord(s.secret) && typeof s.secret.name === 'string')
        out.push({ name: s.secret.name, path: [...spec, 'volumes', i, 'projected', 'sources', j, 'secret', 'name'] });
    });
  });
  (Array.isArray(pod.spec.imagePullSecrets) ? pod.spec.imagePullSecrets : []).forEach((s, i) => {
    if (isRecord(s) && typeof s.name === 'string')
      out.push({ name: s.name, path: [...spec, 'imagePullSecrets', i, 'name'] });
  });
  for (const c of containersOf(pod)) {
    (Array.isArray(c.container.env) ? c.container.env : []).forEach((e, i) => {
      const ref =
        isRecord(e) && isRecord(e.valueFrom) && isRecord(e.valueFrom.secretKeyRef)
          ? e.valueFrom.secretKeyRef
          : undefined;
      if (ref && typeof ref.name === 'string')
        out.push({ name: ref.name, path: [...c.path, 'env', i, 'valueFrom', 'secretKeyRef', 'name'] });
    });
    (Array.isArray(c.container.envFrom) ? c.container.envFrom : []).forEach((e, i) => {
      if (isRecord(e) && isRecord(e.secretRef) && typeof e.secretRef.name === 'string')
        out.push({ name: e.secretRef.name, path: [...c.path, 'envFrom', i, 'secretRef', 'name'] });
    });
  }
  return out;
}
