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
  const schemas = new Map<string, JSONSchema>();
  const getIndex = () => (index ??= readKindIndex());

  const loadSync = (gvk: GroupVersionKind, kubernetesVersion: string): JSONSchema | undefined => {
    if (checkApiVersion(apiVersionOf(gvk), gvk.kind, kubernetesVersion).status === 'removed') return undefined;
    const key = gvkKey(gvk);
    const entry = getIndex().get(key);
    if (!entry) return undefined;
    let schema = schemas.get(key);
    if (!schema) {
      if (!readModel || !readDts) {
        readModel = createModelReader();
        readDts = createDtsReader();
        // Pair every kind up front: a model shared by several kinds then gets the same hints whichever
        // kind is asked for first.
        for (const { gvk: k, model } of getIndex().values()) {
          collectHints(model, kindDtsFile(k.group, k.version, k.kind), readModel, readDts, hints);
        }
      }
      schema = modelToJsonSchema(entry.model, readModel, hints, { strict });
      schemas.set(key, schema);
    }
    return schema;
  };

  return {
    name: 'built-in',
    sharedDefinitions: true,
    loadSync,
    load: async (gvk, kubernetesVersion) => loadSync(gvk, kubernetesVersion),
    kinds: () => [...getIndex().values()].map((e) => e.gvk),
  };
}
