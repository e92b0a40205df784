// The string formats Kubernetes schemas use, registered on an ajv instance.
import type { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

/** resource.Quantity's grammar (apimachinery quantity.go): 500m, 1.5, 2Gi, 1e3, +.5Ki. */
export const QUANTITY_PATTERN =
  /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?(?:\d+(?:\.\d*)?|\.\d+))?$/;

export function isQuantity(value: string): boolean {
  return QUANTITY_PATTERN.test(value);
}

/** Formats that only describe a type (already checked by `type`), as kubeconform's schemas write them. */
const DESCRIPTIVE = ['int-or-string', 'quantity-or-number', 'password', 'binary'];

/**
 * The API server's `duration` format (k8s.io/kube-openapi strfmt, as CRDs use it): Go's
 * time.ParseDuration syntax such as 1m30s, 500ms or 1.5h, not ISO 8601's P1D.
 */
export const GO_DURATION_PATTERN = /^[-+]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/;

export function addKubernetesFormats(ajv: Ajv): Ajv {
  addFormats(ajv);
  ajv.addFormat('quantity', { type: 'string', validate: isQuantity });
  ajv.addFormat('duration', { type: 'string', validate: (v: string) => GO_DURATION_PATTERN.test(v) });
  for (const name of DESCRIPTIVE) ajv.addFormat(name, true);
  return ajv;
}

/** What a format expects, for messages. */
export const FORMAT_HINTS: Readonly<Record<string, string>> = {
  quantity: 'a Kubernetes quantity such as 500m, 0.5, 128Mi or 2Gi',
  byte: 'base64-encoded data',
  'date-time': 'an RFC 3339 date-time such as 2024-01-31T12:00:00Z',
  int32: 'an integer between -2147483648 and 2147483647',
  int64: 'an integer within the 64-bit range',
  duration: 'a duration such as 30s, 5m or 1h30m',
};
