// Pure: a chart template that is only `{{ include "name" . }}` (the service charts' templates, which
// include the library chart's named templates) produces lines written in the file that defines "name".
// Positions are mapped against that definition instead, so a finding names the library line.

const INCLUDE_ONLY = /^\s*\{\{-?\s*include\s+"([^"]+)"\s+\.\s*-?\}\}\s*$/;

/**
 * The chart-relative path of the template defining what `text` includes, and that file's text with
 * every line up to the `define` blanked (line numbers stay the file's); undefined for other templates.
 */
export function includedTemplate(
  text: string,
  templates: Record<string, string>,
): { rel: string; text: string } | undefined {
  const name = INCLUDE_ONLY.exec(text)?.[1];
  if (name === undefined) return undefined;
  const define = new RegExp(`\\{\\{-?\\s*define\\s+"${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*-?\\}\\}`);
  for (const [rel, source] of Object.entries(templates)) {
    const lines = source.split('\n');
    const at = lines.findIndex((l) => define.test(l));
    if (at >= 0) return { rel, text: lines.map((l, i) => (i <= at ? '' : l)).join('\n') };
  }
  return undefined;
}
