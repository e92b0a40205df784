import { SERVICE_NAME } from '../core/input.js';
import type { OverlayVersion } from '../core/model.js';
import { parseOverlay } from '../core/overlay.js';
import { parseCommitTrailers } from '../core/trailers.js';
import { git, readBlobs } from './git.js';

// Overlay versions from git history alone: every commit that changed an overlay of the given
// services (newest first, in graph order), with the image the overlay held after it; and, with
// `holds`, commits that changed a holds file, attributed to services by their trailers.

const OVERLAY = /^environments\/([^/]+)\/values\/([^/]+)\.yaml$/;
const HOLDS = /^environments\/([^/]+)\/holds\.yaml$/;

export async function readOverlayVersions(
  root: string,
  commit: string,
  services: readonly string[] | 'all',
  opts: { holds?: boolean } = {},
): Promise<OverlayVersion[]> {
  const specs =
    services === 'all'
      ? [':(glob)environments/*/values/*.yaml']
      : services.map((s) => `:(glob)environments/*/values/${s}.yaml`);
  if (opts.holds) specs.push(':(glob)environments/*/holds.yaml');
  if (specs.length === 0) return [];
  const out = await git(root).raw([
    'log',
    '--topo-order',
    '--no-renames',
    '--name-only',
    '--format=%x1e%H%x1f%P%x1f%cI%x1f%an <%ae>%x1f%s%x1f%(trailers:only,unfold)%x1f',
    commit,
    '--',
    ...specs,
  ]);
  const versions: OverlayVersion[] = [];
  const wanted = services === 'all' ? undefined : new Set(services);
  for (const record of out.split('\x1e')) {
    if (!record.trim()) continue;
    const [sha, parents, date, author, subject, trailers, files] = record.split('\x1f') as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const base = {
      commit: sha,
      parents: parents.split(' ').filter(Boolean),
      date,
      author,
      subject,
      trailers: trailers.trim(),
    };
    for (const file of files
      .split('\n')
      .map((f) => f.trim())
      .filter(Boolean)) {
      const o = OVERLAY.exec(file);
      if (o && SERVICE_NAME.test(o[2]!) && (!wanted || wanted.has(o[2]!))) {
        versions.push({ ...base, env: o[1]!, service: o[2]!, path: file, image: null, kind: 'overlay' });
        continue;
      }
      const h = HOLDS.exec(file);
      if (!h) continue;
      for (const s of parseCommitTrailers(base.trailers).services) {
        if (s.environment === h[1] && (!wanted || wanted.has(s.service)) && (s.hold || s.release)) {
          versions.push({ ...base, env: h[1]!, service: s.service, path: file, image: null, kind: 'holds' });
        }
      }
    }
  }
  const overlays = versions.filter((v) => v.kind === 'overlay');
  const blobs = await readBlobs(
    root,
    overlays.map((v) => `${v.commit}:${v.path}`),
  );
  for (const v of overlays) {
    // Parsed on first use: soak walks stop at the first other tag, so most versions are never parsed.
    const text = blobs.get(`${v.commit}:${v.path}`) ?? null;
    let image: OverlayVersion['image'] | undefined;
    Object.defineProperty(v, 'image', {
      enumerable: true,
      get: () => (image === undefined ? (image = imageOf(v, text)) : image),
    });
  }
  return versions;
}

function imageOf(v: OverlayVersion, text: string | null): OverlayVersion['image'] {
  if (text === null) return null;
  const parsed = parseOverlay(v.env, v.service, v.path, text).image;
  return parsed.tag !== null || parsed.digest !== null ? parsed : null;
}
