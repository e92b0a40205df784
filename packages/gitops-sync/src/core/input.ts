// Strict checks of everything a caller passes in, before anything is read or touched. Values are
// shown with JSON quoting so that `x$(id -u)` is reported exactly as it arrived.

// Bad input or usage (exit 2) is @cmsweb/toolkit's UsageError, the one class of the three tools.
import { UsageError } from '@cmsweb/toolkit';

// The grammars are @cmsweb/catalog's (src/grammar.ts), shared by every tool.
export { DNS_LABEL as SERVICE_NAME, ENVIRONMENT_NAME, IMAGE_DIGEST, IMAGE_TAG } from '@cmsweb/catalog';
import {
  DNS_LABEL as SERVICE_NAME,
  ENVIRONMENT_NAME,
  IMAGE_DIGEST,
  IMAGE_TAG,
  SERVICE_NAME_MAX,
} from '@cmsweb/catalog';

export function checkService(value: string, flag = '--service'): string {
  if (!SERVICE_NAME.test(value) || value.length > SERVICE_NAME_MAX) {
    throw new UsageError(
      `${flag} ${JSON.stringify(value)} is not a valid service name: expected a lowercase DNS-1123 label (a-z, 0-9, "-"), at most 53 characters`,
    );
  }
  return value;
}

export function checkServices(value: string, flag = '--service'): string[] {
  const list = value.split(',').map((s) => s.trim());
  if (list.some((s) => s === ''))
    throw new UsageError(
      `${flag} ${JSON.stringify(value)} has an empty entry: expected service names separated by commas`,
    );
  list.forEach((s) => checkService(s, flag));
  return [...new Set(list)];
}

export function checkEnvironment(value: string, flag: string): string {
  if (!ENVIRONMENT_NAME.test(value))
    throw new UsageError(
      `${flag} ${JSON.stringify(value)} is not a valid environment name: expected lowercase letters, digits and "-", such as dev, preprod or prod`,
    );
  return value;
}

export function checkTag(value: string, flag = '--tag'): string {
  if (!IMAGE_TAG.test(value))
    throw new UsageError(
      `${flag} ${JSON.stringify(value)} is not a valid image tag: expected letters, digits, "_", "." and "-" (not first), at most 128 characters`,
    );
  return value;
}

export function checkDigest(value: string, flag = '--digest'): string {
  if (!IMAGE_DIGEST.test(value))
    throw new UsageError(
      `${flag} ${JSON.stringify(value)} is not a valid image digest: expected sha256: followed by 64 lowercase hex digits`,
    );
  return value;
}

/** A one-line free text (a break-glass reason, a rollback note) that can go into a commit trailer. */
export function checkReason(value: string, flag = '--reason'): string {
  const v = value.trim();
  if (v.length < 3 || v.length > 300 || /[\u0000-\u001f\u007f]/.test(v)) {
    throw new UsageError(
      `${flag} ${JSON.stringify(value)} is not a usable reason: expected one line of 3 to 300 printable characters`,
    );
  }
  return v;
}

/** A requester identity such as `Jane Doe <jane@cern.ch>`: one line, no control characters. */
export function checkRequester(value: string, source: string): string {
  const v = value.trim();
  if (v.length === 0 || v.length > 200 || /[\u0000-\u001f\u007f]/.test(v)) {
    throw new UsageError(
      `${source} ${JSON.stringify(value)} is not a usable requester identity: expected one line such as "Jane Doe <jane@cern.ch>"`,
    );
  }
  return v;
}
