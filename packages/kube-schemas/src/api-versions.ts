// Is this apiVersion/kind served by the target Kubernetes version? Pure lookup in API_LIFECYCLE.
import { API_LIFECYCLE, type ApiLifecycle } from './api-lifecycle.js';
import { compareMinor, parseKubernetesVersion } from './gvk.js';
import { servedHistory, type ServedHistory } from './served-history.js';

export interface ApiVersionStatus {
  readonly status: 'ok' | 'deprecated' | 'removed';
  /** apiVersion to use instead, e.g. 'autoscaling/v2'. */
  readonly replacement?: string;
  readonly deprecatedIn?: string;
  readonly removedIn?: string;
  readonly message: string;
}

/** The lifecycle entry of an apiVersion/kind (a FooList shares Foo's entry). */
export function findApiLifecycle(apiVersion: string, kind: string): ApiLifecycle | undefined {
  const base = kind.endsWith('List') ? kind.slice(0, -4) : kind;
  return API_LIFECYCLE.find((e) => e.apiVersion === apiVersion && (e.kinds.includes(kind) || e.kinds.includes(base)));
}

function minor(version: string): [number, number] {
  const v = parseKubernetesVersion(version);
  if (!v) throw new Error(`invalid Kubernetes version "${version}" (expected e.g. "1.33" or "v1.33.2")`);
  return v;
}

/**
 * An API the shipped releases (1.30-1.36) stop serving, as a lifecycle entry: removed in the first release
 * without it, replaced by the same kind's newest version in the target release.
 */
export function lifecycleFromReleases(
  apiVersion: string,
  kind: string,
  target: string,
  history: ServedHistory,
): ApiLifecycle | undefined {
  const base = kind.endsWith('List') ? kind.slice(0, -4) : kind;
  const present = history.releasesOf(`${apiVersion} ${base}`);
  if (!present.length || present.includes(target) || !history.versions.includes(target)) return undefined;
  const last = present[present.length - 1]!;
  const t = Number(target.split('.')[1]);
  if (Number(last.split('.')[1]) > t) return undefined; // added later, not removed
  const removedIn = `1.${Number(last.split('.')[1]) + 1}`;
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  const replacement = history.apiVersionsOf(group, base, target).at(-1);
  return { apiVersion, kinds: [base], deprecatedIn: removedIn, removedIn, ...(replacement ? { replacement } : {}) };
}

/** Verdicts against the shipped history, by apiVersion, kind and version: every object asks, of a few kinds. */
const verdicts = new Map<string, ApiVersionStatus>();

export function checkApiVersion(
  apiVersion: string,
  kind: string,
  kubernetesVersion: string,
  history?: ServedHistory,
): ApiVersionStatus {
  if (history) return judgeApiVersion(apiVersion, kind, kubernetesVersion, history);
  const key = `${apiVersion}\0${kind}\0${kubernetesVersion}`;
  let verdict = verdicts.get(key);
  if (!verdict) {
    verdict = Object.freeze(judgeApiVersion(apiVersion, kind, kubernetesVersion, servedHistory()));
    if (verdicts.size >= 10_000) verdicts.clear(); // made-up kinds by the thousand: bounded, like any cache here
    verdicts.set(key, verdict);
  }
  return verdict;
}

function judgeApiVersion(
  apiVersion: string,
  kind: string,
  kubernetesVersion: string,
  history: ServedHistory,
): ApiVersionStatus {
  const target = minor(kubernetesVersion);
  const at = `${target[0]}.${target[1]}`;
  const entry = findApiLifecycle(apiVersion, kind) ?? lifecycleFromReleases(apiVersion, kind, at, history);
  const what = `${apiVersion} ${kind}`;
  if (!entry || compareMinor(target, minor(entry.deprecatedIn)) < 0) {
    return { status: 'ok', message: `${what} is served by Kubernetes ${at}` };
  }
  const instead = [entry.replacement && `use ${entry.replacement}`, entry.note].filter(Boolean).join('; ');
  const advice = instead ? `; ${instead}` : '';
  const details = { replacement: entry.replacement, deprecatedIn: entry.deprecatedIn, removedIn: entry.removedIn };
  if (entry.removedIn && compareMinor(target, minor(entry.removedIn)) >= 0) {
    return {
      status: 'removed',
      ...details,
      message: `${what} was removed in Kubernetes ${entry.removedIn} (target ${at})${advice}`,
    };
  }
  const until = entry.removedIn ? ` and will be removed in ${entry.removedIn}` : '';
  return {
    status: 'deprecated',
    ...details,
    message: `${what} is deprecated since Kubernetes ${entry.deprecatedIn}${until}${advice}`,
  };
}
