import { checkApiVersion, createSchemaValidator } from '@cmsweb/kube-schemas';
import type { CreateKubeSchemaValidator, KubeSchemaValidator, SchemaViolation } from './schema-validator.js';

/**
 * The one place that knows @cmsweb/kube-schemas: strict validation (unknown fields are errors) against the
 * built-in kinds and bundled Argo CD / Flux CRDs, or the kubeconform-style locations given.
 */
export const createKubeSchemaValidator: CreateKubeSchemaValidator = async (options) => {
  const v = createSchemaValidator({ kubernetesVersion: options.kubernetesVersion, schemaLocations: options.schemaLocations, strict: true });
  const validator: KubeSchemaValidator = {
    validate: (object) => (object !== null && typeof object === 'object' ? (v.validate(object) as SchemaViolation[] | 'unknown-kind') : 'unknown-kind'),
    checkApiVersion: (apiVersion, kind) => checkApiVersion(apiVersion, kind, options.kubernetesVersion),
    prepare: (kinds) => v.warmUp(kinds),
  };
  return validator;
};
