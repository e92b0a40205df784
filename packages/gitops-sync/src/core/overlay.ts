import { locate, parseYaml, toJs, formatLocation } from '@cmsweb/yaml';
import { IMAGE_DIGEST, IMAGE_TAG } from './input.js';
import type { Image, Overlay } from './model.js';

/** Pure: reads image.tag / image.digest of an overlay; problems name file:line:column. */
export function parseOverlay(env: string, service: string, path: string, text: string): Overlay {
  const parsed = parseYaml(text, path);
  const errors = parsed.findings.filter((f) => f.severity === 'error');
  const problems = errors.map((f) => `${formatLocation(f)}: ${f.message}`);
  const image: Image = { tag: null, digest: null };
  if (errors.length === 0 && parsed.documents.length <= 1) {
    const doc = toJs(parsed)[0] as { image?: { tag?: unknown; digest?: unknown } } | null | undefined;
    const img = doc && typeof doc === 'object' ? doc.image : undefined;
    const where = (key: string) => formatLocation(locate(parsed, 0, ['image', key]));
    if (img !== undefined && img !== null && typeof img !== 'object')
      problems.push(`${where('')}: image must be a mapping with tag (and digest)`);
    if (img && typeof img === 'object') {
      if (img.tag !== undefined && img.tag !== null) {
        if (typeof img.tag !== 'string')
          problems.push(
            `${where('tag')}: image.tag is ${JSON.stringify(img.tag)} (a ${typeof img.tag}), expected a string; quote it`,
          );
        else if (!IMAGE_TAG.test(img.tag))
          problems.push(`${where('tag')}: image.tag ${JSON.stringify(img.tag)} is not a valid image tag`);
        else image.tag = img.tag;
      }
      if (img.digest !== undefined && img.digest !== null) {
        if (typeof img.digest !== 'string' || !IMAGE_DIGEST.test(img.digest))
          problems.push(
            `${where('digest')}: image.digest ${JSON.stringify(img.digest)} is not sha256: followed by 64 hex digits`,
          );
        else image.digest = img.digest;
      }
    }
  } else if (parsed.documents.length > 1) {
    problems.push(`${path}:1:1: an overlay must hold one YAML document`);
  }
  return { env, service, path, text, image, problems };
}
