// The built-in Kubernetes kinds of the target release, from the shipped data (data/kubernetes/,
// converted from the official definitions of 1.30-1.36). Only the release asked for is read, and only
// the definitions a kind reaches are converted, when the kind is first validated.
import { parseApiVersion, gvkKey, parseKubernetesVersion } from '../gvk.js';
import { buildKindSchema } from '../kubernetes-schema.js';
import { builtInSource } from './built-in-source.js';
import type { GroupVersionKind, JSONSchema, SchemaSource } from '../types.js';
import { fieldReleases, kindReleases, presenceNote, type ReleaseData } from '../version-history.js';
import { kubernetesData, KUBERNETES_VERSIONS } from './kubernetes-data.js';

export interface KubernetesSource extends SchemaSource {
  loadSync(gvk: GroupVersionKind, kubernetesVersion: string): JSONSchema | undefined;
  /** The kinds of the given release (default: every release). */
  kinds(kubernetesVersion?: string): GroupVersionKind[];
}

/** '1.33.2' → '1.33'; undefined when not a version. */
export function minorVersion(kubernetesVersion: string): string | undefined {
  const v = parseKubernetesVersion(kubernetesVersion);
  return v ? `${v[0]}.${v[1]}` : undefined;
}

export function supportedVersionError(kubernetesVersion: string): string | undefined {
  const minor = minorVersion(kubernetesVersion);
  if (minor && (KUBERNETES_VERSIONS as readonly string[]).includes(minor)) return undefined;
  return `no Kubernetes schemas ship for version "${kubernetesVersion}" (supported: ${KUBERNETES_VERSIONS[0]} to ${KUBERNETES_VERSIONS.at(-1)}; give another version or a schema location)`;
}

function releaseData(): ReleaseData {
  const data = kubernetesData();
  return { pool: data.pool(), releases: KUBERNETES_VERSIONS.map((v) => [v, data.release(v)!] as const) };
}

const toKind = (key: string): GroupVersionKind => {
  const [apiVersion, kind] = key.split(' ') as [string, string];
  return { ...parseApiVersion(apiVersion), kind };
};

export function createKubernetesSource(options: { strict?: boolean } = {}): KubernetesSource {
  const strict = options.strict ?? true;
  const data = kubernetesData();
  const base = builtInSource((gvk, kubernetesVersion) => {
    const minor = minorVersion(kubernetesVersion);
    const index = minor ? data.release(minor) : undefined;
    if (!index) return undefined;
    const key = gvkKey(gvk);
    const root = index.kinds[key];
    if (!root) return undefined;
    const schema = () => {
      const pool = data.pool();
      const lookup = (name: string) => {
        const variant = index.definitions[name];
        return variant === undefined ? undefined : pool[name]?.[variant];
      };
      return buildKindSchema(root, lookup, data.enums(), { strict });
    };
    return { key: `${minor} ${key}`, schema };
  });

  return {
    ...base,
    kinds(kubernetesVersion) {
      const minor = kubernetesVersion && minorVersion(kubernetesVersion);
      const versions = minor ? [minor] : [...KUBERNETES_VERSIONS];
      const keys = new Set(versions.flatMap((v) => Object.keys(data.release(v)?.kinds ?? {})));
      return [...keys].sort().map(toKind);
    },
    fieldNote(definition, field, kubernetesVersion) {
      const minor = minorVersion(kubernetesVersion);
      return minor ? presenceNote(fieldReleases(releaseData(), definition, field), minor) : undefined;
    },
    kindNote(gvk, kubernetesVersion) {
      const minor = minorVersion(kubernetesVersion);
      return minor ? presenceNote(kindReleases(releaseData(), gvkKey(gvk)), minor) : undefined;
    },
  };
}
