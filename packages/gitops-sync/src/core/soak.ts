import type { Image, OverlayVersion } from './model.js';
import { sameImage } from './model.js';

/**
 * Pure: the commit from which `env` has run `image` without interruption: walking the overlay's
 * versions newest first, the oldest one of the unbroken run that holds this very tag and digest.
 * A re-pushed digest or any other tag in between restarts the soak.
 */
export function soakStart(versions: readonly OverlayVersion[], env: string, image: Image): OverlayVersion | undefined {
  let start: OverlayVersion | undefined;
  for (const v of versions) {
    if (v.env !== env || v.kind !== 'overlay') continue;
    if (!sameImage(v.image, image)) break;
    start = v;
  }
  return start;
}

export function formatDuration(ms: number): string {
  const m = Math.max(0, Math.floor(ms / 60_000));
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const min = m % 60;
  const parts = [d ? `${d}d` : '', h ? `${h}h` : '', min || (!d && !h) ? `${min}m` : ''].filter(Boolean);
  return parts.slice(0, 2).join(' ');
}
