// Pure: in which releases of the shipped data a kind or a field exists, and how to say it when the
// target release lacks it ("it was added in 1.35", "it was removed in 1.32").
import type { Definition, VersionIndex } from './generate/convert-definitions.js';

export interface ReleaseData {
  /** Releases oldest first, each with its index. */
  readonly releases: readonly (readonly [string, VersionIndex])[];
  readonly pool: Record<string, Definition[]>;
}

const minorOf = (v: string) => Number(v.split('.')[1]);

export function kindReleases(data: ReleaseData, kindKey: string): string[] {
  return data.releases.filter(([, index]) => kindKey in index.kinds).map(([v]) => v);
}

export function fieldReleases(data: ReleaseData, definition: string, field: string): string[] {
  return data.releases
    .filter(([, index]) => {
      const variant = index.definitions[definition];
      const def = variant === undefined ? undefined : data.pool[definition]?.[variant];
      return Boolean((def?.['properties'] as Record<string, unknown> | undefined)?.[field]);
    })
    .map(([v]) => v);
}

/**
 * Why something absent from `target` exists elsewhere: 'it was added in 1.35', 'it was removed in 1.32
 * (last served by 1.31)'; undefined when no release has it.
 */
export function presenceNote(present: readonly string[], target: string): string | undefined {
  if (!present.length || present.includes(target)) return undefined;
  const t = minorOf(target);
  const later = present.filter((v) => minorOf(v) > t);
  if (later.length) return `it was added in ${later[0]}`;
  const last = present[present.length - 1]!;
  return `it was removed in 1.${minorOf(last) + 1} (last in ${last})`;
}
