// Which plain (unquoted) scalars some YAML reader takes for something other than a string. Every YAML
// writer of the repository quotes those, so a string stays a string whoever reads the file:
//  - helm and Argo CD's repo server read values through sigs.k8s.io/yaml → go.yaml.in/yaml/v2, whose
//    resolve() (resolve.go) implements YAML 1.1 booleans (y, n, yes, no, on, off in three casings),
//    Go's strconv.ParseInt(s, 0, 64) after deleting every `_` (so 0x1F, 0o17, 017, 0b101, 1_000,
//    +1, 1_), a YAML-style float, and YYYY-M-D timestamps;
//  - go-yaml v3, kustomize and Flux read YAML 1.2 core (true, null, 0o17, 0x1F, 1e3, .inf);
//  - YAML 1.1 readers also resolve sexagesimal numbers (1:30), floats such as 1.2.3, `<<` and `=`.
// The rules are the union, each named after the reader it comes from (a rule matching is enough).

interface PlainRule {
  reader: string;
  pattern: RegExp;
}

const RULES: readonly PlainRule[] = [
  // go-yaml v2 resolveMap, which is the YAML 1.1 bool/null/float/merge list plus the YAML 1.2 core one.
  {
    reader: 'YAML 1.1 bool (go-yaml v2)',
    pattern: /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  },
  { reader: 'YAML 1.1/1.2 null', pattern: /^(?:~|null|Null|NULL|)$/ },
  { reader: 'YAML 1.1/1.2 infinity and NaN', pattern: /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/ },
  { reader: 'YAML 1.1 merge key and value', pattern: /^(?:<<|=)$/ },
  // go-yaml v2: Go's ParseInt(s, 0, 64) on the text without underscores (prefixes 0x, 0o, 0b, leading 0).
  {
    reader: 'go-yaml v2 int (Go ParseInt base 0, underscores removed)',
    pattern:
      /^[-+]?_*(?:0_*[xX][0-9a-fA-F_]*[0-9a-fA-F][0-9a-fA-F_]*|0_*[oO][0-7_]*[0-7][0-7_]*|0_*[bB][01_]*[01][01_]*|[0-9][0-9_]*)$/,
  },
  // go-yaml v2 yamlStyleFloat on the text without underscores, and Go's ParseFloat for a leading dot.
  {
    reader: 'go-yaml v2 float',
    pattern: /^[-+]?_*(?:\.[0-9_]*[0-9][0-9_]*|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE]_*[-+]?[0-9_]*[0-9][0-9_]*)?$/,
  },
  // YAML 1.1 float: [-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)? (so 1.2.3 and a lone dot).
  { reader: 'YAML 1.1 float', pattern: /^[-+]?(?:[0-9][0-9_]*)?\.[0-9._]*(?:[eE][-+]?[0-9]+)?$/ },
  // YAML 1.1 base 60: 1:30, -1:30:00, 190:20:30.15.
  { reader: 'YAML 1.1 sexagesimal', pattern: /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/ },
  // YAML 1.2 core / JSON numbers.
  {
    reader: 'YAML 1.2 core int and float',
    pattern: /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$/,
  },
  // YAML 1.1 timestamp and go-yaml's Go layouts (2001-12-14, 2001-1-2T3:4:5Z, 2001-12-14 21:59:43.10).
  { reader: 'YAML 1.1 timestamp (go-yaml v2/v3)', pattern: /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:$|[Tt \t])/ },
];

/**
 * Pure: the reader that would take `text`, written as a plain scalar, for something other than the
 * string `text` (a bool, null, number, timestamp, merge key), or undefined when every reader keeps it
 * a string.
 */
export function plainScalarReader(text: string): string | undefined {
  return RULES.find((r) => r.pattern.test(text))?.reader;
}

/** Pure: true when `text` must be quoted to stay a string for every YAML 1.1 and 1.2 reader. */
export function needsQuotes(text: string): boolean {
  return plainScalarReader(text) !== undefined;
}
