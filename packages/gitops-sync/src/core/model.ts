import type { EnvironmentFile } from '@cmsweb/catalog';

// The data the pure core works on: a snapshot of the repository at one commit, and the versions of
// overlays found in git history.

export interface Image {
  tag: string | null;
  digest: string | null;
}

export interface Overlay {
  env: string;
  service: string;
  path: string;
  text: string;
  image: Image;
  /** Why the overlay cannot be used (unparseable, image.tag not a string, ...); empty when fine. */
  problems: string[];
}

export interface Hold {
  service: string;
  /** The tag the rollback went back to. */
  tag: string;
  /** The tag the rollback moved away from (the bad one). */
  rolledBackFrom: string;
  since: string;
  by: string;
  reason?: string;
  operationId: string;
}

export interface EnvironmentState {
  name: string;
  config: EnvironmentFile;
  overlays: Map<string, Overlay>;
  holds: Map<string, Hold>;
  holdsPath: string;
  /** holds.yaml as read (null when the file does not exist). */
  holdsText: string | null;
}

export interface Snapshot {
  commit: string;
  /** Environments in promotion order (the testbed first). */
  order: string[];
  envs: Map<string, EnvironmentState>;
  /** environments/<env>/ folders of environments that catalog/cluster.yaml does not declare (leftovers). */
  undeclared?: string[];
}

/** One commit that changed an overlay (or a holds file), with what the overlay held after it. */
export interface OverlayVersion {
  commit: string;
  parents: string[];
  date: string;
  author: string;
  subject: string;
  trailers: string;
  env: string;
  service: string;
  path: string;
  /** The image after this commit; null when the file was deleted or unreadable. For holds files: null. */
  image: Image | null;
  kind: 'overlay' | 'holds';
}

export function sameImage(a: Image | null | undefined, b: Image | null | undefined): boolean {
  return !!a && !!b && a.tag === b.tag && a.digest === b.digest;
}

export function showImage(i: Image | null | undefined): string {
  if (!i || i.tag === null) return i?.digest ? `@${i.digest}` : '(none)';
  return i.digest ? `${i.tag}@${i.digest.slice(0, 19)}…` : i.tag;
}

export function overlayPath(env: string, service: string): string {
  return `environments/${env}/values/${service}.yaml`;
}

export function holdsPath(env: string): string {
  return `environments/${env}/holds.yaml`;
}
