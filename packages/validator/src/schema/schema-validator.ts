// The validator's own view of a Kubernetes schema validator. kube-schemas-adapter.ts implements it with
// @cmsweb/kube-schemas; nothing else in the validator knows that package.

export type SchemaCheckId =
  | 'schema-unknown-field'
  | 'schema-type'
  | 'schema-required'
  | 'schema-enum'
  | 'schema-format'
  | 'schema-unusable';

export interface SchemaViolation {
  /** JSON pointer into the object. */
  path: string;
  message: string;
  check: SchemaCheckId | 'schema-unknown-kind';
}

export interface ApiVersionVerdict {
  status: 'ok' | 'deprecated' | 'removed';
  replacement?: string;
  message: string;
}

export interface KubeSchemaValidator {
  /** Strict validation against the schema of the object's apiVersion/kind; 'unknown-kind' when there is none. */
  validate(object: unknown): SchemaViolation[] | 'unknown-kind';
  /** Whether the target Kubernetes version serves the apiVersion for this kind. */
  checkApiVersion(apiVersion: string, kind: string): ApiVersionVerdict;
  /** Loads the schemas of these kinds ahead of validate() (locations that only load asynchronously). */
  prepare(kinds: Iterable<{ apiVersion: string; kind: string }>): Promise<void>;
}

export interface SchemaValidatorOptions {
  kubernetesVersion: string;
  /** kubeconform-style locations (directories, URL templates with {{ .ResourceKind }} ...), passed through. */
  schemaLocations?: string[];
}

export type CreateKubeSchemaValidator = (options: SchemaValidatorOptions) => Promise<KubeSchemaValidator>;
