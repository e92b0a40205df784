import { hostPathAllowed, volume as volumeSchema } from '@cmsweb/catalog';
import { fits } from './import-container.js';
import type { Field, Plain } from './tracked-field.js';

// Pure: the pod's volumes and the main container's mounts → the catalog's secrets, configMaps,
// gridSecurity and volumes. Volumes used only by sidecars or init containers become `volumes` without
// mountPath (their containers mount them by name). ConfigMaps defined in the same input carry their data.

export interface VolumeImport {
  secrets: Array<{ name: string; mountPath: string; volumeName?: string }>;
  configMaps: Array<{
    name: string;
    mountPath: string;
    volumeName?: string;
    defaultMode?: number;
    data?: Record<string, string>;
  }>;
  volumes: Plain[];
  gridSecurity?: { mountPath: string };
}

export interface VolumeContext {
  /** Volumes the importer expressed otherwise (logging): skipped here. */
  skip: Set<string>;
  /** ConfigMap objects of the input in the workload's namespace, by name. */
  configMapData: (name: string) => Record<string, string> | undefined;
  /** Volume names some sidecar or init container mounts. */
  usedByOthers: Set<string>;
  /** Host paths catalog/cluster.yaml allows (allowedHostPaths). */
  allowedHostPaths: readonly string[];
}

const GRID_SECURITY = '/etc/grid-security';

export function importVolumes(pod: Field, main: Field, ctx: VolumeContext): VolumeImport {
  const out: VolumeImport = { secrets: [], configMaps: [], volumes: [] };
  const mounts = new Map<string, Field[]>();
  for (const m of main.get('volumeMounts').items()) {
    const name = String(m.get('name').value);
    mounts.set(name, [...(mounts.get(name) ?? []), m]);
  }
  for (const v of pod.get('volumes').items()) {
    const name = String(v.get('name').value);
    if (ctx.skip.has(name)) continue;
    const ms = mounts.get(name) ?? [];
    for (const extra of ms.slice(1))
      extra.drop(`volume ${name} is mounted a second time by the main container: the catalog mounts a volume once`);
    const m = ms[0];
    if (!m && !ctx.usedByOthers.has(name)) {
      v.drop(`volume ${name} is mounted by no container`);
      continue;
    }
    const mountPath = m?.get('mountPath').value;
    const subPath = m?.get('subPath').value;
    const readOnly = m?.get('readOnly').value;
    for (const k of m?.keys() ?? [])
      if (!['name', 'mountPath', 'subPath', 'readOnly'].includes(k))
        m?.get(k).drop(`volumeMount ${k} is not expressible`);
    const plainMount = m && subPath === undefined;
    const secret = v.get('secret');
    const configMap = v.get('configMap');
    const hostPath = v.get('hostPath');
    if (plainMount && hostPath.present && hostPath.get('path').value === GRID_SECURITY && v.keys().length === 2) {
      out.gridSecurity = { mountPath: String(mountPath) };
      hostPath.get('type').drop('the chart mounts the grid-security host path without a type');
      v.take();
      m.take();
      continue;
    }
    if (plainMount && secret.present && onlyKeys(secret, ['secretName']) && v.keys().length === 2) {
      out.secrets.push({
        name: String(secret.get('secretName').value),
        mountPath: String(mountPath),
        ...(name !== secret.get('secretName').value ? { volumeName: name } : {}),
      });
      v.take();
      m.take();
      if (readOnly === false) m.get('readOnly').drop('secrets are mounted read-only by the chart');
      continue;
    }
    if (plainMount && configMap.present && onlyKeys(configMap, ['name', 'defaultMode']) && v.keys().length === 2) {
      const cmName = String(configMap.get('name').value);
      const data = ctx.configMapData(cmName);
      const mode = configMap.get('defaultMode').value;
      out.configMaps.push({
        name: cmName,
        mountPath: String(mountPath),
        ...(name !== cmName ? { volumeName: name } : {}),
        ...(typeof mode === 'number' ? { defaultMode: mode } : {}),
        ...(data ? { data } : {}),
      });
      v.take();
      m.take();
      if (readOnly !== undefined) m.get('readOnly').drop('config maps are mounted read-only by the chart');
      continue;
    }
    const hp = hostPath.get('path').value;
    if (hostPath.present && !hostPathAllowed(String(hp), ctx.allowedHostPaths)) {
      v.drop(`host path ${String(hp)} is not under allowedHostPaths of catalog/cluster.yaml: add it there to mount it`);
      m?.drop(`mounts volume ${name}, which is not imported`);
      continue;
    }
    const candidate: Plain = { name };
    if (m) {
      candidate.mountPath = mountPath;
      if (subPath !== undefined) candidate.subPath = subPath;
      if (readOnly !== undefined) candidate.readOnly = readOnly;
    }
    for (const k of v.keys()) if (k !== 'name') candidate[k] = v.get(k).value;
    if (secret.present) candidate.secret = pick(secret.value, ['secretName', 'defaultMode']);
    if (configMap.present) candidate.configMap = pick(configMap.value, ['name', 'defaultMode']);
    if (isEmpty(candidate.emptyDir)) candidate.emptyDir = {};
    const accepted = fits(volumeSchema, candidate, v, `volume ${name}`);
    if (!accepted) continue;
    for (const k of ['items', 'optional']) {
      secret.get(k).drop(`secret volume ${k} is not expressible (every key is mounted)`);
      configMap.get(k).drop(`configMap volume ${k} is not expressible (every key is mounted)`);
    }
    v.take();
    m?.take();
    out.volumes.push(accepted);
  }
  return out;
}

const onlyKeys = (f: Field, allowed: string[]) => f.keys().every((k) => allowed.includes(k));
const isEmpty = (v: unknown) => v === null || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
function pick(v: unknown, keys: string[]): Plain {
  const out: Plain = {};
  for (const k of keys) if (v && typeof v === 'object' && k in v) out[k] = (v as Plain)[k];
  return out;
}
