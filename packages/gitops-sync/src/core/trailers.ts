// Commit messages and their trailers: the only record `history` and `status` need.
//
// One commit may change several services. Its trailer block lists, for each service in turn, a
// `Service:` trailer followed by that service's `Environment`, `Tag`, `Digest`, `Promoted-From`, `Hold`
// and `Release` trailers; a `Service:` trailer starts the next service. Then, once per commit:
// `Promotion-Id`, `Requested-By`, and one `Gate-Override: <gate>: <reason>` per overridden gate.

export interface ServiceTrailers {
  service: string;
  environment: string;
  tag?: string;
  digest?: string;
  promotedFrom?: string;
  /** On a rollback: the tag rolled back from; the service is held in the environment. */
  hold?: string;
  /** On a release: the tag whose rollback placed the hold that is now lifted. */
  release?: string;
}

export interface CommitTrailers {
  services: ServiceTrailers[];
  promotionId?: string;
  requestedBy?: string;
  gateOverrides: Array<{ gate: string; reason: string }>;
}

const PER_SERVICE: Array<[keyof ServiceTrailers, string]> = [
  ['environment', 'Environment'],
  ['tag', 'Tag'],
  ['digest', 'Digest'],
  ['promotedFrom', 'Promoted-From'],
  ['hold', 'Hold'],
  ['release', 'Release'],
];

/** Pure: subject, optional body lines, and the trailer block. */
export function formatCommitMessage(subject: string, body: string[], t: CommitTrailers): string {
  const lines: string[] = [];
  for (const s of t.services) {
    lines.push(`Service: ${s.service}`);
    for (const [key, name] of PER_SERVICE) if (s[key]) lines.push(`${name}: ${s[key]}`);
  }
  if (t.promotionId) lines.push(`Promotion-Id: ${t.promotionId}`);
  if (t.requestedBy) lines.push(`Requested-By: ${t.requestedBy}`);
  for (const o of t.gateOverrides) lines.push(`Gate-Override: ${o.gate}: ${o.reason}`);
  return [subject, '', ...(body.length > 0 ? [...body, ''] : []), ...lines, ''].join('\n');
}

/** Pure: parses `git log --format=%(trailers:only,unfold)` output (one `Key: value` per line). */
export function parseCommitTrailers(text: string): CommitTrailers {
  const out: CommitTrailers = { services: [], gateOverrides: [] };
  let current: ServiceTrailers | undefined;
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z-]+):\s?(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'Service') {
      current = { service: value, environment: '' };
      out.services.push(current);
    } else if (key === 'Promotion-Id') out.promotionId = value;
    else if (key === 'Requested-By') out.requestedBy = value;
    else if (key === 'Gate-Override') {
      const i = value.indexOf(': ');
      out.gateOverrides.push(
        i > 0 ? { gate: value.slice(0, i), reason: value.slice(i + 2) } : { gate: value, reason: '' },
      );
    } else if (current) {
      const entry = PER_SERVICE.find(([, name]) => name === key);
      if (entry) (current as unknown as Record<string, string>)[entry[0]] = value;
    }
  }
  return out;
}
