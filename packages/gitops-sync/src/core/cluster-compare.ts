// Pure: what git says an environment runs beside what its cluster runs. For each service with an overlay: the
// Deployment named after the service in its namespace (the chart names it so; its container of the same
// name carries the image), its rollout, and the Argo CD Application <service>-<env> when there is one.
// A service differs when the image is not the one git holds, the Deployment is missing or not rolled out,
// or the Application is not Synced and Healthy.

export interface GitService {
  service: string;
  namespace: string;
  tag: string | null;
  digest: string | null;
}

export interface ObservedWorkload {
  /** Images of the container named after the service (or the first container), per template. */
  image: string | null;
  replicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  generation: number;
  observedGeneration: number;
  /** The Progressing condition's reason, when there is one (ProgressDeadlineExceeded = failed). */
  progressingReason?: string;
}

export interface ObservedApp {
  sync: string;
  health: string;
}

export type Rollout = 'complete' | 'progressing' | 'failed' | 'missing';

export interface ClusterRow {
  service: string;
  namespace: string;
  git: { tag: string | null; digest: string | null };
  cluster: { image: string | null; tag: string | null; digest: string | null; ready: string; rollout: Rollout };
  app: ObservedApp | null;
  differences: string[];
}

/** Splits `repo[:tag][@sha256:…]` (a registry port is not a tag: the tag follows the last slash). */
export function parseImage(image: string): { repository: string; tag: string | null; digest: string | null } {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : null;
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : null;
  return { repository: tag === null ? name : name.slice(0, colon), tag, digest };
}

export function rolloutOf(w: ObservedWorkload | undefined): Rollout {
  if (!w) return 'missing';
  if (w.progressingReason === 'ProgressDeadlineExceeded') return 'failed';
  const done =
    w.observedGeneration >= w.generation &&
    w.updatedReplicas >= w.replicas &&
    w.availableReplicas >= w.replicas &&
    w.readyReplicas >= w.replicas;
  return done ? 'complete' : 'progressing';
}

export function compareService(
  g: GitService,
  w: ObservedWorkload | undefined,
  app: ObservedApp | undefined,
  env: string,
): ClusterRow {
  const rollout = rolloutOf(w);
  const img = w?.image ? parseImage(w.image) : null;
  const differences: string[] = [];
  if (!w) differences.push(`no Deployment ${g.service} in namespace ${g.namespace}`);
  else {
    if (g.digest !== null && img?.digest !== g.digest)
      differences.push(`runs ${w.image ?? '(no image)'}, git pins digest ${g.digest}`);
    else if (g.digest === null && g.tag !== null && img?.tag !== g.tag)
      differences.push(`runs ${img?.tag ?? w.image ?? '(no image)'}, git says ${g.tag}`);
    if (rollout !== 'complete')
      differences.push(
        `rollout ${rollout}: ${w.readyReplicas}/${w.replicas} ready, ${w.updatedReplicas} updated${w.observedGeneration < w.generation ? ', new spec not yet observed' : ''}`,
      );
  }
  if (app && (app.sync !== 'Synced' || app.health !== 'Healthy'))
    differences.push(`Argo CD Application ${g.service}-${env} is ${app.sync}/${app.health}`);
  return {
    service: g.service,
    namespace: g.namespace,
    git: { tag: g.tag, digest: g.digest },
    cluster: {
      image: w?.image ?? null,
      tag: img?.tag ?? null,
      digest: img?.digest ?? null,
      ready: w ? `${w.readyReplicas}/${w.replicas}` : '-',
      rollout,
    },
    app: app ?? null,
    differences,
  };
}
