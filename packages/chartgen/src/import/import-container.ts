import {
  envFromSource,
  envVar,
  lifecycle as lifecycleSchema,
  probe as probeSchema,
  type EnvVar,
} from '@cmsweb/catalog';
import type { z } from 'zod';
import type { Field } from './tracked-field.js';

// Pure: one container of a pod spec → the catalog's container fields (command, args, env, envFrom,
// resources, probes, lifecycle, securityContext). Each value goes through the catalog's own schema
// before it is kept; what does not fit is dropped with the schema's reason, so the entry always loads.

/** Keeps `value` when the catalog schema accepts it, else drops the field with the schema's first message. */
export function fits<T>(schema: z.ZodType<T>, value: unknown, field: Field, what: string): T | undefined {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue?.path.length ? ` (at ${issue.path.join('.')})` : '';
  field.drop(`${what} does not fit the catalog: ${issue?.message ?? 'invalid'}${where}`);
  return undefined;
}

const stringList = (f: Field): string[] | undefined => {
  if (!f.present) return undefined;
  const items = f.items();
  if (!Array.isArray(f.value) || items.some((i) => typeof i.value !== 'string' && typeof i.value !== 'number')) {
    f.drop('expected a list of strings');
    return undefined;
  }
  f.take();
  return items.map((i) => String(i.value));
};

/**
 * The items of the list `f` that fit `schema`, each as `candidate` writes it for the catalog (undefined: the
 * item is not expressible, and `candidate` has dropped it); an item that fits is taken, one that does not is
 * dropped, named by `what`.
 */
function importItems<T>(
  f: Field,
  schema: z.ZodType<T>,
  what: (item: Field) => string,
  candidate: (item: Field) => unknown,
): T[] | undefined {
  if (!f.present) return undefined;
  const out: T[] = [];
  for (const item of f.items()) {
    const c = candidate(item);
    const v = c === undefined ? undefined : fits(schema, c, item, what(item));
    if (v) {
      item.take();
      out.push(v);
    }
  }
  return out;
}

export function importEnv(f: Field): EnvVar[] | undefined {
  const what = (item: Field) => `environment variable ${String(item.get('name').value)}`;
  return importItems(f, envVar, what, (item) => {
    const name = item.get('name').value;
    const from = item.get('valueFrom');
    if (!from.present) {
      const v = item.get('value').value;
      return { name, ...(v === undefined || v === null ? { value: '' } : { value: String(v) }) };
    }
    if (from.get('secretKeyRef').present) {
      const r = from.get('secretKeyRef');
      if (r.get('optional').present) r.get('optional').drop('optional secret keys are not expressible');
      return { name, secretKeyRef: { name: r.get('name').value, key: r.get('key').value } };
    }
    if (from.get('configMapKeyRef').present) {
      const r = from.get('configMapKeyRef');
      if (r.get('optional').present) r.get('optional').drop('optional config map keys are not expressible');
      return { name, configMapKeyRef: { name: r.get('name').value, key: r.get('key').value } };
    }
    if (from.get('fieldRef').present) {
      const r = from.get('fieldRef');
      r.get('apiVersion').take();
      return { name, fieldRef: r.get('fieldPath').value };
    }
    item.drop('only value, secretKeyRef, configMapKeyRef and fieldRef sources are expressible');
    return undefined;
  });
}

export function importEnvFrom(f: Field) {
  return importItems(
    f,
    envFromSource,
    () => 'envFrom source',
    (item) => {
      const ref = item.get('secretRef').present ? 'secretRef' : 'configMapRef';
      const r = item.get(ref);
      const optional = r.get('optional').value;
      return {
        [ref]: r.get('name').value,
        ...(item.get('prefix').present ? { prefix: item.get('prefix').value } : {}),
        ...(optional !== undefined ? { optional } : {}),
      };
    },
  );
}

export function importResources(f: Field) {
  if (!f.present) return undefined;
  const out: Record<string, Record<string, string | number>> = {};
  for (const side of ['requests', 'limits']) {
    const list = f.get(side);
    for (const key of list.keys()) {
      const q = list.get(key);
      if (key !== 'cpu' && key !== 'memory') {
        q.drop(`only cpu and memory ${side} are expressible`);
        continue;
      }
      const v = q.value;
      if (
        typeof v === 'number' ||
        (typeof v === 'string' && /^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|Pi|Ei|M|G|T|P|E)?$/.test(v))
      ) {
        q.take();
        (out[side] ??= {})[key] = v;
      } else q.drop('not a quantity the catalog accepts (such as 500m, 256Mi)');
    }
  }
  return Object.keys(out).length ? out : undefined;
}

/** A handler (probe or lifecycle hook): exec, httpGet, tcpSocket as the catalog writes them. */
function handler(f: Field, kinds: readonly string[]): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const k of kinds) {
    const h = f.get(k);
    if (!h.present) continue;
    if (k === 'exec') out.exec = { command: stringList(h.get('command')) };
    else if (k === 'tcpSocket') out.tcpSocket = { port: h.get('port').take() };
    else {
      const headers = h.get('httpHeaders');
      out.httpGet = {
        path: h.get('path').present ? h.get('path').take() : '/',
        port: h.get('port').take(),
        ...(h.get('scheme').present ? { scheme: h.get('scheme').take() } : {}),
        ...(headers.present ? { httpHeaders: headers.take() } : {}),
      };
      if (h.get('host').present) h.get('host').drop('httpGet.host is not expressible (the kubelet probes the pod IP)');
    }
  }
  return out;
}

const PROBE_TIMING = ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold', 'successThreshold'];

export function importProbes(container: Field) {
  const out: Record<string, unknown> = {};
  for (const [k8s, catalog] of [
    ['livenessProbe', 'liveness'],
    ['readinessProbe', 'readiness'],
    ['startupProbe', 'startup'],
  ] as const) {
    const p = container.get(k8s);
    if (!p.present) continue;
    const candidate: Record<string, unknown> = handler(p, ['exec', 'httpGet', 'tcpSocket']) ?? {};
    for (const t of PROBE_TIMING) if (p.get(t).present) candidate[t] = p.get(t).take();
    const v = fits(probeSchema, candidate, p, `${k8s}`);
    if (v) out[catalog] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

export function importLifecycle(f: Field) {
  if (!f.present) return undefined;
  const candidate: Record<string, unknown> = {};
  for (const hook of ['postStart', 'preStop']) {
    const h = f.get(hook);
    if (h.present) candidate[hook] = handler(h, ['exec', 'httpGet']);
  }
  return fits(lifecycleSchema, candidate, f, 'lifecycle');
}

const CONTAINER_SECURITY = [
  'runAsUser',
  'runAsGroup',
  'runAsNonRoot',
  'privileged',
  'allowPrivilegeEscalation',
  'readOnlyRootFilesystem',
  'capabilities',
  'seccompProfile',
];
/** The container's securityContext fields the catalog knows (the others stay unused, so reported). */
export function containerSecurity(f: Field): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of CONTAINER_SECURITY) if (f.get(k).present) out[k] = f.get(k).take();
  return out;
}

export { stringList };
