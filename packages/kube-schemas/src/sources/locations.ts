// kubeconform -schema-location values → sources. 'default' means the offline built-in kinds plus the
// bundled CRDs (kubeconform's 'default' is its online schema repository; there is no network here).
import type { SchemaSource } from '../types.js';
import { createBuiltinSource, type BuiltinSource } from './builtin-source.js';
import { createCrdSource } from './crd-source.js';
import { createLocationSource } from './location-source.js';

// Generating the built-in schemas reads the installed packages once; validators share the result.
const builtins = new Map<boolean, BuiltinSource>();

export function sharedBuiltinSource(strict: boolean): BuiltinSource {
  let source = builtins.get(strict);
  if (!source) builtins.set(strict, (source = createBuiltinSource({ strict })));
  return source;
}

export function schemaSourcesFor(locations: readonly string[], options: { strict: boolean; cwd?: string }): SchemaSource[] {
  return locations.flatMap((location): SchemaSource[] =>
    location === 'default'
      ? [sharedBuiltinSource(options.strict), createCrdSource({ strict: options.strict })]
      : [createLocationSource(location, options)],
  );
}
