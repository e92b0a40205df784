import { createHmac, timingSafeEqual } from 'node:crypto';

// Pure: how a request to `gitops-sync serve` proves who sent it. The client signs, with its own secret,
// HMAC-SHA256 over "<timestamp>\n<request id>\n<raw body>" and sends:
//   X-Imagebot-Client: <client name>
//   X-Imagebot-Timestamp: <unix seconds>            within ±5 minutes of the server's clock
//   X-Imagebot-Request-Id: <8-128 of A-Z a-z 0-9 . _ : ->   accepted once
//   X-Imagebot-Signature: sha256=<64 lowercase hex>
// The id is signed too, so a captured request cannot be replayed under a fresh id.

export const AUTH_HEADERS = {
  client: 'x-imagebot-client',
  timestamp: 'x-imagebot-timestamp',
  requestId: 'x-imagebot-request-id',
  signature: 'x-imagebot-signature',
} as const;

export const WINDOW_SECONDS = 300;
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;
const CLIENT = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;
const SIGNATURE = /^sha256=([0-9a-f]{64})$/;
const TIMESTAMP = /^[0-9]{1,12}$/;

export function signaturePayload(timestamp: string, requestId: string, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}\n${requestId}\n`), body]);
}

/** The X-Imagebot-Signature value for a request (what a client computes). */
export function sign(secret: Uint8Array | string, timestamp: string, requestId: string, body: Uint8Array): string {
  return `sha256=${createHmac('sha256', secret)
    .update(signaturePayload(timestamp, requestId, body))
    .digest('hex')}`;
}

export type Headers = Record<string, string | string[] | undefined>;

export type AuthResult<C> =
  | { ok: true; client: C; clientName: string; requestId: string; timestamp: number }
  | { ok: false; status: 401; error: string; clientName?: string };

const header = (h: Headers, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? undefined : v;
};

// Used when the client is unknown, so that an unknown name costs the same HMAC as a known one.
const DUMMY_KEY = Buffer.alloc(32);

/**
 * Checks the four headers and the signature over the raw body. `lookup` gives a client and its secret by
 * name. The signature is compared in constant time (timingSafeEqual over equal-length digests).
 */
export function authenticate<C>(
  headers: Headers,
  body: Uint8Array,
  nowSeconds: number,
  lookup: (name: string) => { client: C; secret: Uint8Array } | undefined,
): AuthResult<C> {
  const fail = (error: string, clientName?: string): AuthResult<C> => ({
    ok: false,
    status: 401,
    error,
    ...(clientName ? { clientName } : {}),
  });
  const name = header(headers, AUTH_HEADERS.client);
  const ts = header(headers, AUTH_HEADERS.timestamp);
  const id = header(headers, AUTH_HEADERS.requestId);
  const sig = header(headers, AUTH_HEADERS.signature);
  const missing = Object.entries({ client: name, timestamp: ts, requestId: id, signature: sig })
    .filter(([, v]) => v === undefined)
    .map(([k]) => AUTH_HEADERS[k as keyof typeof AUTH_HEADERS]);
  if (missing.length)
    return fail(`missing header${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (each once): see the README`);
  if (!CLIENT.test(name!)) return fail(`${AUTH_HEADERS.client} is not a client name`);
  if (!TIMESTAMP.test(ts!)) return fail(`${AUTH_HEADERS.timestamp} is not a number of seconds since 1970 (UTC)`, name);
  if (!REQUEST_ID.test(id!))
    return fail(`${AUTH_HEADERS.requestId} is not an id: expected 8 to 128 of A-Z a-z 0-9 . _ : -`, name);
  const m = SIGNATURE.exec(sig!);
  if (!m) return fail(`${AUTH_HEADERS.signature} is not sha256=<64 lowercase hex digits>`, name);
  const found = lookup(name!);
  const expected = Buffer.from(sign(found?.secret ?? DUMMY_KEY, ts!, id!, body).slice(7), 'hex');
  const given = Buffer.from(m[1]!, 'hex');
  const valid = timingSafeEqual(expected, given);
  if (!found) return fail(`unknown client ${JSON.stringify(name)}`, name);
  if (!valid) return fail('signature does not match the body, timestamp and request id (wrong secret?)', name);
  // Checked after the signature, so that a forged request learns nothing about the clock.
  const skew = Number(ts) - nowSeconds;
  if (Math.abs(skew) > WINDOW_SECONDS)
    return fail(
      `timestamp is ${Math.abs(skew)} s in the ${skew < 0 ? 'past' : 'future'}: expected within ${WINDOW_SECONDS} s of the server's clock`,
      name,
    );
  return { ok: true, client: found.client, clientName: name!, requestId: id!, timestamp: Number(ts) };
}
