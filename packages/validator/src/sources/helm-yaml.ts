import { parseYaml, type ParsedYaml, type SourceFinding } from '@cmsweb/yaml';

// Pure: a chart's values.yaml, which only helm reads, is judged by helm's parser (go-yaml through
// sigs.k8s.io/yaml), not by YAML 1.2 alone. Overlays stay strict: gitops-sync edits them with a YAML 1.2
// parser too (with a duplicate image: key it would write the first while helm reads the last). Helm accepts a flow collection
// whose continuation lines are indented at (or left of) the column of the key that opens it:
//
//   args: [
//   "-c", "/etc/filebeat.yml",
//   ]
//
// (found in 13 values.yaml files of the CMSWEB charts, ../shared/corpus/cmskubernetes/helm); YAML 1.2
// parsers (`yaml`, editors, kubeconform's) refuse it. Helm (v4, sigs.k8s.io/yaml over go-yaml) also keeps
// the last of duplicate keys (dbs-global-r's values.yaml has `exec:` twice). Helm renders such files, so
// these are warnings (yaml-helm-lenient) saying why, and the values are read as helm reads them (last key
// wins). What helm refuses too (a tab in the indentation, an unclosed bracket, ...) stays an error. The
// oracle tests run the real helm binary.

const FLOW_INDENT = /^Flow (sequence|map) in block collection must be sufficiently indented/;

export interface HelmYaml {
  parsed: ParsedYaml;
  /** Findings to report: the strict parser's, or the leniency warnings when helm's reading is clean. */
  findings: SourceFinding[];
}

export function parseHelmYaml(text: string, file: string): HelmYaml {
  const parsed = parseYaml(text, file);
  const errors = parsed.findings.filter((f) => f.severity === 'error');
  const isDup = (f: SourceFinding) => f.check === 'yaml-duplicate-key';
  // Only flow indentation and duplicate keys are forgiven; the text with the flow lines indented must then
  // parse cleanly (other errors the strict parser reports inside such a flow collection go away with it).
  const flow = errors.filter((e) => FLOW_INDENT.test(e.message));
  if (!errors.length || (!flow.length && !errors.every(isDup))) return { parsed, findings: parsed.findings };
  const fixed = flow.length
    ? indentFlowContinuations(
        text.split('\n'),
        flow.map((e) => e.line),
      )
    : text;
  if (fixed === undefined) return { parsed, findings: parsed.findings };
  const lenient = parseYaml(fixed, file);
  if (lenient.findings.some((f) => f.severity === 'error' && !isDup(f))) return { parsed, findings: parsed.findings };
  const dups: SourceFinding[] = lenient.findings.filter(isDup).map((f) => ({
    ...f,
    check: 'yaml-helm-lenient',
    severity: 'warning',
    message: `${f.message.replace(/ \(each key may appear once.*$/, '')}: helm keeps the last value (go-yaml through sigs.k8s.io/yaml accepts duplicates), other tools refuse or keep the first; delete or merge the duplicate`,
  }));
  const warnings: SourceFinding[] = flow.map((e) => {
    const kind = FLOW_INDENT.exec(e.message)![1] === 'map' ? 'mapping' : 'sequence';
    return {
      check: 'yaml-helm-lenient',
      severity: 'warning',
      file,
      line: e.line,
      column: e.column,
      message: `this line of a flow ${kind} is indented no further than the key that opens it: helm (go-yaml) accepts it, YAML 1.2 parsers (editors, kubeconform, yaml) refuse it; indent the lines inside the ${kind === 'sequence' ? '[ ]' : '{ }'} past the key's column`,
    };
  });
  return { parsed: lenient, findings: [...lenient.findings.filter((f) => !isDup(f)), ...dups, ...warnings] };
}

/** The text with the lines of each flow collection (opened on a key's line) indented past that key; undefined when no opener is found. */
function indentFlowContinuations(lines: string[], errorLines: number[]): string | undefined {
  const out = [...lines];
  const done = new Set<number>();
  for (const errLine of errorLines) {
    // The opener: the nearest line above (or at) the error with more opening than closing brackets.
    let open = -1;
    for (let i = errLine - 1; i >= 0 && i >= errLine - 200; i--) {
      if (balance(lines[i]!) > 0 && /^\s*(-\s+)?[^\s#][^:#]*:\s*[[{]/.test(lines[i]!)) {
        open = i;
        break;
      }
    }
    if (open < 0) return undefined;
    if (done.has(open)) continue;
    done.add(open);
    const keyIndent = /^(\s*(?:-\s+)?)/.exec(lines[open]!)![1]!.length;
    let depth = balance(lines[open]!);
    for (let i = open + 1; i < lines.length && depth > 0; i++) {
      const indent = /^ */.exec(lines[i]!)![0].length;
      if (lines[i]!.trim() && indent <= keyIndent) out[i] = ' '.repeat(keyIndent + 1 - indent) + lines[i]!;
      depth += balance(lines[i]!);
    }
  }
  return out.join('\n');
}

/** Opening minus closing brackets of a line, outside quotes and comments. */
function balance(line: string): number {
  let n = 0;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) break;
    else if (c === '[' || c === '{') n++;
    else if (c === ']' || c === '}') n--;
  }
  return n;
}
