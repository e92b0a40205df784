// The built-in Kubernetes kinds: structure, types, formats and required fields from
// @kubernetes/client-node's generated models (Kubernetes v1.34 OpenAPI), enums and Quantity fields from
// kubernetes-models' interfaces. One data set serves every requested version; APIs the requested
// version no longer serves (per the deprecation table) are answered as unknown.
import { checkApiVersion } from '../../api-versions.js';
import { createModelReader, type ModelReader } from './client-node-models.js';
import { readKindIndex, type KindIndexEntry } from './client-node-kinds.js';
import { collectHints, type HintTable } from './field-hints.js';
import { createDtsReader, kindDtsFile, type DtsReader } from './models-dts.js';
import { modelToJsonSchema } from './to-json-schema.js';
import { builtInSource } from '../../sources/built-in-source.js';
import { apiVersionOf, gvkKey } from '../../gvk.js';
import type { GroupVersionKind, JSONSchema, SchemaSource } from '../../types.js';

/** The Kubernetes release the client models were generated from. */
export const BUILTIN_KUBERNETES_VERSION = '1.34';

export interface BuiltinSource extends SchemaSource {
  loadSync(gvk: GroupVersionKind, kubernetesVersion: string): JSONSchema | undefined;
  /** Every kind the built-in data knows, whatever the version. */
  kinds(): GroupVersionKind[];
}

export function createBuiltinSource(options: { strict?: boolean } = {}): BuiltinSource {
  const strict = options.strict ?? true;
  let index: Map<string, KindIndexEntry> | undefined;
  let readModel: ModelReader | undefined;
  let readDts: DtsReader | undefined;
  const hints: HintTable = new Map();
  const getIndex = () => (index ??= readKindIndex());

  const base = builtInSource((gvk, kubernetesVersion) => {
    if (checkApiVersion(apiVersionOf(gvk), gvk.kind, kubernetesVersion).status === 'removed') return undefined;
    const key = gvkKey(gvk);
    const entry = getIndex().get(key);
    if (!entry) return undefined;
    const schema = () => {
      if (!readModel || !readDts) {
        readModel = createModelReader();
        readDts = createDtsReader();
        // Pair every kind up front: a model shared by several kinds then gets the same hints whichever
        // kind is asked for first.
        for (const { gvk: k, model } of getIndex().values()) {
          collectHints(model, kindDtsFile(k.group, k.version, k.kind), readModel, readDts, hints);
        }
      }
      return modelToJsonSchema(entry.model, readModel, hints, { strict });
    };
    return { key, schema };
  });

  return {
    ...base,
    kinds: () => [...getIndex().values()].map((e) => e.gvk),
  };
}
