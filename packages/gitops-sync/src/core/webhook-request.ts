import { checkDigest, checkEnvironment, checkService, checkTag } from './input.js';

// Pure: the body of POST /v1/bump. JSON {service, tag, digest?, environment?}, nothing else; the values
// follow the CLI's grammar (the same checks as `bump --service --tag --digest --env`).

export interface BumpRequest {
  service: string;
  tag: string;
  digest: string | null;
  /** undefined: the testbed. */
  environment?: string;
}

const KEYS = ['service', 'tag', 'digest', 'environment'];

export function parseBumpBody(body: Uint8Array): { ok: true; request: BumpRequest } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (e) {
    return { ok: false, error: `the body is not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, error: 'the body must be a JSON object {"service", "tag", "digest"?, "environment"?}' };
  const o = value as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !KEYS.includes(k));
  if (unknown.length)
    return { ok: false, error: `unknown field ${JSON.stringify(unknown[0])}: expected only ${KEYS.join(', ')}` };
  for (const k of ['service', 'tag'])
    if (typeof o[k] !== 'string') return { ok: false, error: `field "${k}" is required and must be a string` };
  for (const k of ['digest', 'environment'])
    if (o[k] !== undefined && typeof o[k] !== 'string')
      return { ok: false, error: `field "${k}" must be a string when present` };
  try {
    return {
      ok: true,
      request: {
        service: checkService(o.service as string, 'service'),
        tag: checkTag(o.tag as string, 'tag'),
        digest: o.digest === undefined ? null : checkDigest(o.digest as string, 'digest'),
        ...(o.environment !== undefined
          ? { environment: checkEnvironment(o.environment as string, 'environment') }
          : {}),
      },
    };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
