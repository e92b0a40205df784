// Pure: a token bucket per client. `requests` tokens, refilled continuously over `perSeconds`; a request
// takes one. No clock inside: the caller passes the time.

export interface Bucket {
  tokens: number;
  at: number;
}

export interface Rate {
  requests: number;
  perSeconds: number;
}

export function takeToken(
  bucket: Bucket | undefined,
  rate: Rate,
  nowMs: number,
): { bucket: Bucket; allowed: boolean; retryAfterSeconds: number } {
  const perMs = rate.requests / (rate.perSeconds * 1000);
  const prev = bucket ?? { tokens: rate.requests, at: nowMs };
  const tokens = Math.min(rate.requests, prev.tokens + Math.max(0, nowMs - prev.at) * perMs);
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, at: nowMs }, allowed: true, retryAfterSeconds: 0 };
  return {
    bucket: { tokens, at: nowMs },
    allowed: false,
    retryAfterSeconds: Math.max(1, Math.ceil(((1 - tokens) * rate.perSeconds) / rate.requests)),
  };
}
