// Pure: a chart template with its block includes expanded, as helm's engine renders them, so that a
// rendered line can be aligned with the line of the file that wrote it (template-lines.ts) and its
// values traced (value-origin.ts) even through nested named templates.
//
// Helm's `include "name" ARG` executes the named template with ARG as its data (dot, and `$` inside it)
// and returns its output as a string, which `nindent N` / `indent N` indent line by line. A line that is
// only such an include (`{{- include "lib.podTemplate" . | nindent 4 }}`, or the service charts' whole
// `{{ include "lib.deployment" . }}`) is therefore replaced by the body of the `define`, every line
// indented by N, between two synthetic action-only lines `{{ __scope ARG }}` … `{{ end }}` that set the
// data for value tracing and never match a rendered line. `| trim` before the indent (the library's job
// spec of CronJobs and Jobs) is read the same way: its bodies start at column 0, so trimming moves no line.
// Includes inside a line (a scalar such as
// `image: {{ include "lib.image" . }}`) stay as they are. Recursion is bounded and never re-enters a
// template it is already expanding.

/** A named template's body: the lines strictly between a `define` alone on its line and its `end`. */
export interface Definition {
  rel: string;
  /** 0-based line of the `define` (the body starts on the next line). */
  start: number;
  /** 0-based line of the matching `end`. */
  end: number;
}

/** Expanded template text, and for each of its lines the file and 0-based line it was written at. */
export interface ExpandedTemplate {
  text: string;
  origins: Array<{ rel: string; line: number } | undefined>;
}

const ACTION = /\{\{-?\s*([\s\S]*?)\s*-?\}\}/g;
const BLOCK = /^(?:if|with|range|define|block)\b/;
const ALONE_DEFINE = /^\s*\{\{-?\s*define\s+"([^"]+)"\s*-?\}\}\s*$/;
const ALONE_END = /^\s*\{\{-?\s*end\s*-?\}\}\s*$/;
const BLOCK_INCLUDE =
  /^\s*\{\{-?\s*(?:include|template)\s+"([^"]+)"\s+(\$|\.|\$?\.[A-Za-z_][\w.]*)\s*(?:\|\s*trim\s*)?(?:\|\s*(nindent|indent)\s+(\d+)\s*)?-?\}\}\s*$/;
const MAX_DEPTH = 8;

/** Template text with comments blanked (newlines kept), so that text inside `{{/* … *\/}}` is not read as actions. */
export function withoutComments(source: string): string {
  return source.replace(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g, (c) => c.replace(/[^\n]/g, ' '));
}

type Define = { name: string; start: number; end: number; body: string };

// Every chart of a repository includes the same library templates: each distinct source is read once.
const DEFINES = new Map<string, readonly Define[]>();
const DEFINES_MAX = 2048;

/** Blocks of one template source: for each `define "name"`, its 0-based line and the line of its matching `end`. */
function definesOf(source: string): readonly Define[] {
  let found = DEFINES.get(source);
  if (!found) {
    if (DEFINES.size >= DEFINES_MAX) DEFINES.clear();
    DEFINES.set(source, (found = scanDefines(source)));
  }
  return found;
}

function scanDefines(source: string): Define[] {
  const text = withoutComments(source);
  const lineAt = (offset: number) => text.slice(0, offset).split('\n').length - 1;
  const out: Array<{ name: string; start: number; end: number; body: string }> = [];
  const stack: Array<{ name?: string; offset: number; after: number }> = [];
  for (const m of text.matchAll(ACTION)) {
    const body = m[1]!;
    if (BLOCK.test(body)) {
      const name = /^define\s+"([^"]+)"/.exec(body)?.[1];
      stack.push({ ...(name !== undefined ? { name } : {}), offset: m.index, after: m.index + m[0].length });
    } else if (/^end\b/.test(body)) {
      const open = stack.pop();
      if (open?.name !== undefined)
        out.push({
          name: open.name,
          start: lineAt(open.offset),
          end: lineAt(m.index),
          body: source.slice(open.after, m.index),
        });
    }
  }
  return out;
}

/** Named templates by name, with their bodies. */
export type Definitions = Map<string, Definition & { body: string }>;

/** The named templates of a chart's template sources (first definition wins, as files are read in order). */
export function definitions(templates: Record<string, string>): Definitions {
  const out = new Map<string, Definition & { body: string }>();
  for (const [rel, source] of Object.entries(templates))
    for (const d of definesOf(source)) if (!out.has(d.name)) out.set(d.name, { rel, ...d });
  return out;
}

/** `text` (the template at `rel`) with every block include of a known named template expanded, recursively. */
export function expandIncludes(
  rel: string,
  text: string,
  templates: Record<string, string>,
  defs: Map<string, Definition> = definitions(templates),
): ExpandedTemplate {
  const lines: string[] = [];
  const origins: ExpandedTemplate['origins'] = [];
  const split = new Map<string, string[]>();
  const linesOf = (file: string) => {
    let l = split.get(file);
    if (!l) split.set(file, (l = (templates[file] ?? '').split('\n')));
    return l;
  };
  const walk = (file: string, src: string[], from: number, to: number, pad: string, open: string[]) => {
    for (let i = from; i < to; i++) {
      const line = src[i]!;
      const inc = BLOCK_INCLUDE.exec(line);
      const def = inc ? defs.get(inc[1]!) : undefined;
      const dl = def ? linesOf(def.rel) : undefined;
      if (
        inc &&
        def &&
        dl &&
        open.length < MAX_DEPTH &&
        !open.includes(inc[1]!) &&
        ALONE_DEFINE.test(dl[def.start]!) &&
        ALONE_END.test(dl[def.end]!)
      ) {
        const inner = pad + ' '.repeat(inc[4] ? Number(inc[4]) : 0);
        lines.push(`${pad}{{ __scope ${inc[2]} }}`);
        origins.push(undefined);
        walk(def.rel, dl, def.start + 1, def.end, inner, [...open, inc[1]!]);
        lines.push(`${pad}{{ end }}`);
        origins.push(undefined);
        continue;
      }
      lines.push(line.trim() === '' ? line : pad + line);
      origins.push({ rel: file, line: i });
    }
  };
  const own = text.split('\n');
  walk(rel, own, 0, own.length, '', []);
  return { text: lines.join('\n'), origins };
}

/** One block include of a template file that is nothing but block includes. */
export interface ListedInclude {
  /** The named template it includes. */
  name: string;
  /** The chart-relative file defining it. */
  rel: string;
  /** 0-based line of the include in the including file. */
  line: number;
}

/**
 * The block includes of `text` when it holds nothing else (blank lines, comments and `---` separators aside)
 * and each names a known template: a service chart's templates/resources.yaml, one include per kind.
 */
export function blockIncludes(text: string, defs: Map<string, Definition>): ListedInclude[] | undefined {
  const out: ListedInclude[] = [];
  const lines = withoutComments(text).split('\n');
  for (let line = 0; line < lines.length; line++) {
    const l = lines[line]!;
    if (l.trim() === '' || /^---\s*$/.test(l)) continue;
    const name = BLOCK_INCLUDE.exec(l)?.[1];
    const rel = name === undefined ? undefined : defs.get(name)?.rel;
    if (name === undefined || rel === undefined) return undefined;
    out.push({ name, rel, line });
  }
  return out.length > 0 ? out : undefined;
}

// The kinds of each named template, per chart's definitions: read once for all the documents of a render.
const KINDS = new WeakMap<Definitions, Map<string, string[]>>();

const TOP_KIND = /^kind:[ \t]*(.*?)[ \t]*$/;

/**
 * The `kind:` values a named template writes at column 0 (those of the block includes it makes at column 0
 * too): literal kinds, or `{{ … }}` for one an action computes. Bodies are read as written, not expanded.
 */
function topKinds(name: string, defs: Definitions, seen: string[] = []): string[] {
  const def = defs.get(name);
  if (def === undefined || seen.length >= MAX_DEPTH || seen.includes(name)) return [];
  const out: string[] = [];
  for (const line of withoutComments(def.body).split('\n')) {
    const kind = TOP_KIND.exec(line)?.[1];
    if (kind !== undefined) out.push(kind.replace(/^(["'])(.*)\1$/, '$2'));
    const inc = BLOCK_INCLUDE.exec(line);
    // Only an include that writes at column 0: no indent before it and none added.
    if (inc && /^\{\{/.test(line) && !(inc[4] && Number(inc[4]) > 0))
      out.push(...topKinds(inc[1]!, defs, [...seen, name]));
  }
  return out;
}

/**
 * Which of a file's block includes wrote a rendered document, from the document's `kind:`: the one include
 * whose template writes that kind literally, else the one whose template computes a kind. Undefined when no
 * single include fits (the caller then aligns with the whole file). Helm sorts a file's documents by kind,
 * so their order says nothing about the include; the kind does, and costs no alignment.
 */
export function includeOfDocument(
  doc: string,
  list: readonly ListedInclude[],
  defs: Definitions,
): ListedInclude | undefined {
  const kind = /^kind:[ \t]*(.*?)[ \t]*$/m.exec(doc)?.[1]?.replace(/^(["'])(.*)\1$/, '$2');
  if (kind === undefined || kind === '') return undefined;
  let known = KINDS.get(defs);
  if (!known) KINDS.set(defs, (known = new Map()));
  const kinds = list.map((inc) => {
    let k = known.get(inc.name);
    if (!k) known.set(inc.name, (k = topKinds(inc.name, defs)));
    return k;
  });
  const literal = list.filter((_, i) => kinds[i]!.includes(kind));
  if (literal.length === 1) return literal[0];
  if (literal.length > 1) return undefined;
  const computed = list.filter((_, i) => kinds[i]!.some((k) => k.includes('{{')));
  return computed.length === 1 ? computed[0] : undefined;
}
