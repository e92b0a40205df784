// Which shipped release serves which kinds: the data behind "removed in 1.33" for APIs that the
// releases 1.30-1.36 drop. Reads the shipped release indexes lazily (see sources/kubernetes-data.ts).
import { kubernetesData, KUBERNETES_VERSIONS } from './sources/kubernetes-data.js';

export interface ServedHistory {
  readonly versions: readonly string[];
  /** Releases serving 'apps/v1 Deployment', oldest first. */
  releasesOf(kindKey: string): string[];
  /** apiVersions serving the kind of that group in the release, oldest API version first ('v1beta1' < 'v1'). */
  apiVersionsOf(group: string, kind: string, release: string): string[];
}

const rank = (v: string) => {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return 0;
  return Number(m[1]) * 1000 + (m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 300 : 600) + Number(m[3] ?? 0);
};

let shared: ServedHistory | undefined;

export function servedHistory(): ServedHistory {
  if (shared) return shared;
  const data = kubernetesData();
  const kinds = (release: string) => data.release(release)?.kinds ?? {};
  shared = {
    versions: KUBERNETES_VERSIONS,
    releasesOf: (key) => KUBERNETES_VERSIONS.filter((v) => key in kinds(v)),
    apiVersionsOf(group, kind, release) {
      const out: string[] = [];
      for (const key of Object.keys(kinds(release))) {
        const [apiVersion, k] = key.split(' ') as [string, string];
        const slash = apiVersion.lastIndexOf('/');
        const g = slash < 0 ? '' : apiVersion.slice(0, slash);
        if (k === kind && g === group) out.push(apiVersion);
      }
      return out.sort((a, b) => rank(a.slice(a.lastIndexOf('/') + 1)) - rank(b.slice(b.lastIndexOf('/') + 1)));
    },
  };
  return shared;
}
