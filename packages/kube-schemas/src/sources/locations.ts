// kubeconform -schema-location values → sources. 'default' means the offline built-in kinds plus the
// bundled CRDs (kubeconform's 'default' is its online schema repository; there is no network here).
import type { SchemaSource } from '../types.js';
import { createKubernetesSource, type KubernetesSource } from './kubernetes-source.js';
import { createCrdSource } from './crd-source.js';
import { createLocationSource } from './location-source.js';
import { createCrdManifestSource, CRD_LOCATION_PREFIX } from './crd-manifest-source.js';
import { resolve } from 'node:path';

// Built schemas are cached in the source; validators share it.
const builtins = new Map<boolean, KubernetesSource>();

export function sharedBuiltinSource(strict: boolean): KubernetesSource {
  let source = builtins.get(strict);
  if (!source) builtins.set(strict, (source = createKubernetesSource({ strict })));
  return source;
}

/**
 * `crds:<dir or file>` locations are CRD manifests: they add to the other locations (and come first, so a
 * user's CRD wins over a bundled one) rather than replacing the default.
 */
export function schemaSourcesFor(
  locations: readonly string[],
  options: { strict: boolean; cwd?: string },
): SchemaSource[] {
  const crdPaths = locations
    .filter((l) => l.startsWith(CRD_LOCATION_PREFIX))
    .map((l) => resolve(options.cwd ?? process.cwd(), l.slice(CRD_LOCATION_PREFIX.length)));
  const others = locations.filter((l) => !l.startsWith(CRD_LOCATION_PREFIX));
  const crds = crdPaths.length ? [createCrdManifestSource(crdPaths, options)] : [];
  return [
    ...crds,
    ...(others.length ? others : ['default']).flatMap((location): SchemaSource[] =>
      location === 'default'
        ? [sharedBuiltinSource(options.strict), createCrdSource({ strict: options.strict })]
        : [createLocationSource(location, options)],
    ),
  ];
}
