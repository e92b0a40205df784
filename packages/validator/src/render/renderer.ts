// A renderer turns a chart plus values into manifests, exactly as Argo CD would. One interface, one
// file per implementation (helm-renderer.ts runs the real helm binary; a native one comes later).

export interface RenderRequest {
  /** Absolute path of the chart directory. */
  chartDir: string;
  releaseName: string;
  namespace: string;
  /** Absolute paths of value files, in order (after the chart's own values.yaml). */
  valueFiles: string[];
  /** "MAJOR.MINOR", e.g. "1.33". */
  kubeVersion: string;
  /**
   * YAML text that replaces the chart's own values.yaml, as source-controller does with a HelmRelease's
   * `valuesFiles` (merged into one values.yaml of the chart artifact). The chart directory is never written.
   */
  chartValues?: string;
  /** YAML text passed as one more value file after `valueFiles` (Argo CD's helm.values / valuesObject). */
  inlineValues?: string;
  /** `--set name=value`, `--set-string`, `--set-file name=<absolute path>` (values already escaped). */
  set?: Array<{ name: string; value: string }>;
  setString?: Array<{ name: string; value: string }>;
  setFile?: Array<{ name: string; value: string }>;
  /** `--api-versions` (Capabilities.APIVersions.Has). */
  apiVersions?: string[];
  /** Leave the chart's crds/ out (Argo CD's skipCrds); default: included. */
  skipCrds?: boolean;
  skipSchemaValidation?: boolean;
  skipTests?: boolean;
  /** Seconds the render may take before it is stopped (a `timeout` error); default: the renderer's. */
  timeoutSeconds?: number;
}

/** Why rendering failed, located in a chart file when the renderer says where. */
export interface RenderError {
  /** timeout: the renderer did not finish in the time it was given and was stopped. */
  kind: 'template-parse' | 'template-execute' | 'output-yaml' | 'values-schema' | 'chart' | 'timeout';
  message: string;
  /** Path inside the chart directory (e.g. templates/deployment.yaml). */
  file?: string;
  line?: number;
  column?: number;
}

export interface RenderResult {
  /** The multi-document YAML stream (empty when rendering failed). */
  manifests: string;
  error?: RenderError;
}

export interface Renderer {
  name: string;
  render(request: RenderRequest): Promise<RenderResult>;
}
