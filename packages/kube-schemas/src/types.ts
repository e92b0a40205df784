// The shapes every part of the package (and its callers) agree on.

/** A JSON Schema document (draft-07 keywords; `definitions`/`$defs` for internal references). */
export type JSONSchema = { [keyword: string]: unknown };

/** Group, version and kind of a resource; `group` is '' for the core API ("v1"). */
export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export type SchemaCheck =
  | 'schema-unknown-field'
  | 'schema-type'
  | 'schema-required'
  | 'schema-enum'
  | 'schema-format'
  | 'schema-unknown-kind'
  | 'schema-unusable';

export interface SchemaViolation {
  /** JSON pointer into the resource, e.g. /spec/template/spec/containers/0/imagePullPolicyy ('' = the resource). */
  readonly path: string;
  /** What is wrong and what is expected. */
  readonly message: string;
  readonly check: SchemaCheck;
}

/**
 * Where schemas come from. `load` answers undefined when the source has no schema for the kind.
 * `loadSync` lets a validator compile lazily inside its synchronous `validate`; a source without it is
 * consulted only by `warmUp`.
 */
export interface SchemaSource {
  readonly name: string;
  /**
   * True when a definition name (under `definitions`) means the same schema in every schema this source
   * returns, so a validator may compile each definition once for all kinds.
   */
  readonly sharedDefinitions?: boolean;
  /**
   * True when every schema is a CRD's structural schema (converted and checked by crd/convert-crd.ts): its
   * top-level fields other than apiVersion, kind, metadata and spec may then be compiled on first use.
   * Arbitrary schema files are compiled whole, so a broken part is reported however the object looks.
   */
  readonly crdSchemas?: boolean;
  load(gvk: GroupVersionKind, kubernetesVersion: string): Promise<JSONSchema | undefined>;
  loadSync?(gvk: GroupVersionKind, kubernetesVersion: string): JSONSchema | undefined;
  /** The kinds the source can answer for in that version, when it can list them (used to suggest alternatives). */
  kinds?(kubernetesVersion?: string): GroupVersionKind[];
  /**
   * When a field of the definition (its `x-kubernetes-definition` tag) is unknown in the target version but
   * exists in another: why ('it was added in 1.35').
   */
  fieldNote?(definition: string, field: string, kubernetesVersion: string): string | undefined;
  /** When the kind is absent from the target version but exists in another: why. */
  kindNote?(gvk: GroupVersionKind, kubernetesVersion: string): string | undefined;
}
