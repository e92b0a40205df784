// Conformance (b): small templates, one per language construct and function, over edge values. All cases go
// to helm in one chart (one process); a case helm rejects is taken out and the chart rendered again, so each
// case ends with helm's output or helm's error. The engine renders each case on its own and must match: the
// same text, or a failure where helm failed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runHelm } from '@cmsweb/toolchain';
import { mapLimit } from '@cmsweb/toolkit';
import { HelmError, renderChart } from '../chart.js';
import { compare, type Outcome } from './generated-charts.js';

export const CASE_VALUES = `big: 1000000
bigger: 12345678901234567890
float: 1.5
fracbig: 1234567.5
small: 0.00001
neg: -3
zero: 0
int: 42
str: hello
empty: ""
nul: null
bool: true
off: off
unicode: "héllo wörld ✓ 日本"
multi: |
  line one
  line two
multiKeep: "a\\n\\nb\\n\\n"
trailing: "trailing space "
leading: " leading"
tab: "a\\tb"
quoted: "true"
numstr: "123"
octal: 0755
hex: 0x1F
date: 2024-01-02
datestr: "2024-01-02"
long: "a long string with many words that goes beyond eighty columns so that go-yaml folds it onto the next line ok"
longword: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bb"
colon: "a: b"
hash: "a #b"
dash: "- x"
star: "*x"
special: "@x"
tilde: "~"
ctrl: "bell\\u0007"
keys:
  "a.b": 1
  "with space": 2
  "1": one
  "10": ten
  "9": nine
  a10: x
  a9: y
  Z: z
  _u: u
  "y": yes-key
  "a01": p
  "a1": q
list: [3, 1, 2]
mixed: [1, "two", null, true, 1.5, {a: 1}, [x]]
nested: {a: {b: {c: deep}}}
emptyMap: {}
emptyList: []
strs: [b, a, c]
dupes: [a, b, a, c, b]
image: {repository: nginx, tag: "1.25"}
anchors:
  base: &b {x: 1, y: 2}
  derived:
    <<: *b
    y: 3
`;

export interface TemplateCase {
  /** Goes through `include ... | toJson` (json) so any output is a safe YAML scalar, or is the document (raw). */
  kind: 'json' | 'raw';
  body: string;
}

const J = (body: string): TemplateCase => ({ kind: 'json', body });
const R = (body: string): TemplateCase => ({ kind: 'raw', body });

/** The cases: constructs, printing, functions, YAML/JSON output, and errors helm must raise. */
export const TEMPLATE_CASES: TemplateCase[] = [
  // printing of values (%v)
  ...['big', 'bigger', 'float', 'fracbig', 'small', 'neg', 'zero', 'int', 'str', 'empty', 'nul', 'bool', 'off'].map(
    (k) => J(`{{ .Values.${k} }}`),
  ),
  ...[
    'unicode',
    'multi',
    'list',
    'mixed',
    'nested',
    'emptyMap',
    'emptyList',
    'octal',
    'hex',
    'date',
    'keys',
    'anchors',
  ].map((k) => J(`{{ .Values.${k} }}`)),
  J('{{ .Values.missing }}|{{ .Values.nested.a.missing }}'),
  J('{{ .Values.missing.deeper }}'),
  J('{{ $x := .Values.missing }}{{ $x.deeper }}'),
  J('{{ .Values.str.deeper }}'),
  J('{{ 1e6 }} {{ 1.0 }} {{ 0x10 }} {{ 1_000 }} {{ -2 }} {{ 010 }} {{ .5 }} {{ 1e-7 }} {{ 123456789.0 }}'),
  J(`{{ "esc\\t\\"q\\"\\u00e9\\x41" }} {{ \`raw \\n\` }} {{ 'a' }}`),
  J('{{ "{{ not an action }}" }}'),
  J('{{ true }} {{ false }} {{ nil }}'),
  // whitespace trimming and comments
  J('a  {{- "b" -}}  c\n  {{- /* comment */ -}}\n  d {{/* c2 */}} e'),
  J('x\n{{- if true }}\n  y\n{{- end }}\nz'),
  // control structures
  J('{{ if .Values.str }}yes{{ else }}no{{ end }}'),
  J('{{ if .Values.empty }}yes{{ else if .Values.zero }}zero{{ else if .Values.emptyList }}l{{ else }}none{{ end }}'),
  J(
    '{{ if and .Values.str .Values.bool }}both{{ end }}{{ if or .Values.empty .Values.zero }}x{{ else }}neither{{ end }}',
  ),
  J('{{ and 1 0 "x" }} {{ or 0 "" "z" }} {{ or 0 "" }} {{ and }}'),
  J('{{ not .Values.empty }} {{ not .Values.str }}'),
  J('{{ with .Values.nested.a }}{{ .b.c }}{{ end }}{{ with .Values.missing }}m{{ else }}none{{ end }}'),
  J('{{ with .Values.empty }}e{{ else with .Values.str }}{{ . }}{{ end }}'),
  J('{{ range .Values.list }}[{{ . }}]{{ end }}'),
  J('{{ range $i, $v := .Values.strs }}{{ $i }}={{ $v }};{{ end }}'),
  J('{{ range $k, $v := .Values.keys }}{{ $k }}={{ $v }};{{ end }}'),
  J('{{ range .Values.emptyList }}x{{ else }}empty{{ end }}{{ range .Values.missing }}x{{ else }}nil{{ end }}'),
  J('{{ range 3 }}{{ . }}{{ end }}'),
  J(
    '{{ range $i, $e := .Values.mixed }}{{ if eq $i 2 }}{{ continue }}{{ end }}{{ if eq $i 5 }}{{ break }}{{ end }}{{ $e }},{{ end }}',
  ),
  J('{{ $x := 1 }}{{ range .Values.list }}{{ $x = . }}{{ end }}{{ $x }}'),
  J('{{ $ := . }}{{ range .Values.strs }}{{ $.Values.str }}{{ end }}'),
  J('{{ range .Values.str }}{{ . }}{{ end }}'),
  J('{{ (.Values.nested).a.b.c }} {{ (index .Values.keys "a.b") }}'),
  J('{{ template "helper" .Values.str }}|{{ include "helper" "x" | upper }}'),
  J('{{ block "blk" . }}default block{{ end }}'),
  J('{{ define "inner" }}in{{ end }}{{ template "inner" }}'),
  // comparisons
  J('{{ eq .Values.str "hello" }} {{ eq .Values.int 42.0 }} {{ ne .Values.str "x" }} {{ eq .Values.str "a" "hello" }}'),
  J('{{ eq .Values.int 42 }}'),
  J('{{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1.5 2.5 }}'),
  J('{{ lt 1 2.5 }}'),
  J('{{ eq .Values.missing nil }} {{ eq .Values.nul .Values.missing }}'),
  J('{{ eq .Values.list .Values.list }}'),
  J('{{ len .Values.list }} {{ len .Values.keys }} {{ len .Values.unicode }} {{ len "" }}'),
  J('{{ len .Values.int }}'),
  J('{{ index .Values.list 1 }} {{ index .Values.nested "a" "b" "c" }} {{ index .Values.keys "nope" }}'),
  J('{{ index .Values.list 10 }}'),
  J('{{ index .Values.missing "a" }}'),
  J('{{ slice .Values.strs 1 }} {{ slice .Values.strs 1 2 }}'),
  // fmt
  J('{{ printf "%s-%d-%v-%q-%t-%x-%05.1f-%-4s|%5s|%%" "a" 3 .Values.big "q\\"" true 255 3.14159 "ab" "cd" }}'),
  J('{{ printf "%d" .Values.int }} {{ printf "%s" .Values.int }} {{ printf "%v" .Values.nul }} {{ printf "%s" }}'),
  J('{{ printf "%v %v" .Values.list .Values.nested }} {{ printf "%T %T %T" 1 .Values.int "s" }}'),
  J('{{ print 1 2 "a" "b" 3 .Values.nul }} {{ println "x" 1 }}'),
  J('{{ printf "%6.2f|%e|%g|%G" 3.14159 123456.789 0.000012 1e21 }}'),
  J('{{ html "<a href=\\"x\\">&\'</a>" }} {{ js "it\'s <b>" }} {{ urlquery "a b&c=d/é" }}'),
  // strings
  J('{{ .Values.str | upper }} {{ lower "ABC" }} {{ title "hello wide world" }} {{ untitle "Hello World" }}'),
  J('{{ trunc 3 .Values.str }} {{ trunc -2 .Values.str }} {{ trunc 10 .Values.str }} {{ trunc 63 "x" }}'),
  J('{{ trim "  a b  " }}|{{ trimAll "-" "--a-b--" }}|{{ trimSuffix "-" "abc-" }}|{{ trimPrefix "a" "abc" }}'),
  J('{{ contains "ell" .Values.str }} {{ hasPrefix "he" .Values.str }} {{ hasSuffix "lo" .Values.str }}'),
  J('{{ replace "l" "L" .Values.str }} {{ replace "" "-" "ab" }} {{ repeat 3 "ab" }} {{ substr 1 3 .Values.str }}'),
  J(
    '{{ quote .Values.str }} {{ quote .Values.int }} {{ quote .Values.nul }} {{ quote "a" "b" }} {{ squote .Values.big }}',
  ),
  J('{{ quote .Values.unicode }} {{ quote .Values.multi }} {{ quote .Values.tab }} {{ quote .Values.ctrl }}'),
  J('{{ cat "a" 1 nil "b" }} {{ nospace " a b\\tc " }} {{ initials "hello big world" }}'),
  J('{{ indent 2 "a\\nb" }}|{{ nindent 4 "x\\ny" }}|{{ indent 0 "" }}'),
  J('{{ snakecase "HelloWorldFoo" }} {{ kebabcase "HelloWorld" }} {{ camelcase "hello_world" }} {{ swapcase "AbC" }}'),
  J('{{ plural "one" "many" 1 }} {{ plural "one" "many" 2 }} {{ wrap 10 "the quick brown fox jumps" }}'),
  J(
    '{{ toString 1 }} {{ toString .Values.big }} {{ toString .Values.nul }} {{ toString .Values.list }} {{ toString true }}',
  ),
  J(
    '{{ split "," "a,b,,c" }} {{ splitList "," "a,b,,c" }} {{ join "-" (splitList "," "a,b") }} {{ splitn "," 2 "a,b,c" }}',
  ),
  J('{{ join ", " .Values.mixed }} {{ join "" .Values.str }} {{ join "-" (list 1 2 3) }}'),
  J('{{ sortAlpha .Values.strs }} {{ sortAlpha (list "b" 1 "a") }}'),
  J('{{ upper 3 }}'),
  J('{{ .Values.missing | upper }}'),
  J('{{ upper .Values.missing }}'),
  J('{{ trunc .Values.int "abc" }}'),
  // defaults
  J(
    '{{ default "d" .Values.missing }} {{ default "d" .Values.empty }} {{ default "d" .Values.zero }} {{ default "d" .Values.str }} {{ .Values.missing | default 5 }}',
  ),
  J('{{ default "d" .Values.emptyList }} {{ default "d" .Values.bool }} {{ default "d" false }}'),
  J(
    '{{ empty .Values.emptyMap }} {{ empty .Values.str }} {{ coalesce .Values.missing "" "c" }} {{ all 1 "a" }} {{ any 0 "" }}',
  ),
  J('{{ ternary "y" "n" true }} {{ ternary "y" "n" .Values.bool }}'),
  J('{{ required "need it" .Values.str }}'),
  J('{{ required "need a value for missing" .Values.missing }}'),
  J('{{ required "empty string" .Values.empty }}'),
  J('{{ fail "stop here" }}'),
  // numbers
  J(
    '{{ add 1 2 3 }} {{ add .Values.big 1 }} {{ add1 .Values.float }} {{ sub 10 .Values.int }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 3 }}',
  ),
  J(
    '{{ max 1 5 3 }} {{ min 4 2 8 }} {{ floor 1.7 }} {{ ceil 1.2 }} {{ round 1.256 2 }} {{ addf 1.5 2 }} {{ mulf 1.5 2 }} {{ divf 1 4 }}',
  ),
  J(
    '{{ int "42" }} {{ int .Values.float }} {{ int64 "0x10" }} {{ float64 "1.5" }} {{ atoi "12" }} {{ int "abc" }} {{ toDecimal "777" }}',
  ),
  J('{{ until 3 }} {{ untilStep 1 10 3 }} {{ seq 3 }} {{ seq 2 5 }} {{ seq 5 -1 2 }}'),
  J('{{ div 1 0 }}'),
  // lists
  J(
    '{{ list 1 "a" nil }} {{ first .Values.strs }} {{ last .Values.strs }} {{ rest .Values.strs }} {{ initial .Values.strs }}',
  ),
  J(
    '{{ append .Values.strs "d" }} {{ prepend .Values.strs "z" }} {{ concat .Values.strs (list 1 2) }} {{ reverse .Values.list }}',
  ),
  J(
    '{{ uniq .Values.dupes }} {{ without .Values.dupes "a" }} {{ has "b" .Values.strs }} {{ has "q" .Values.strs }} {{ compact (list 1 "" nil 0 "x") }}',
  ),
  J('{{ slice .Values.strs 1 2 }} {{ chunk 2 .Values.strs }} {{ first .Values.emptyList }}'),
  J('{{ first "abc" }}'),
  // dicts
  J('{{ $d := dict "b" 2 "a" 1 }}{{ $d }} {{ get $d "a" }} {{ get $d "z" }} {{ hasKey $d "b" }} {{ hasKey $d "z" }}'),
  J('{{ $d := dict "a" 1 }}{{ $_ := set $d "c" 3 }}{{ $d }} {{ unset $d "a" }} {{ dict "odd" }}'),
  J(
    '{{ keys .Values.image | sortAlpha }} {{ values (dict "a" 1 "b" 2) | sortAlpha }} {{ pick .Values.image "tag" }} {{ omit .Values.image "tag" }}',
  ),
  J(
    '{{ pluck "a" (dict "a" 1) (dict "a" 2) (dict "b" 3) }} {{ dig "a" "b" "c" "def" .Values.nested }} {{ dig "a" "x" "def" .Values.nested }}',
  ),
  J('{{ merge (dict "a" 1 "n" (dict "x" 1)) (dict "a" 2 "b" 3 "n" (dict "y" 2)) }}'),
  J('{{ mergeOverwrite (dict "a" 1 "n" (dict "x" 1)) (dict "a" 2 "b" 3 "n" (dict "x" 9)) }}'),
  J('{{ merge (dict "a" "" "b" false) (dict "a" "x" "b" true) }}'),
  J('{{ $c := deepCopy .Values.nested }}{{ $_ := set $c "z" 1 }}{{ $c }} {{ .Values.nested }}'),
  J('{{ hasKey .Values.str "a" }}'),
  // encodings and hashes
  J(
    '{{ b64enc "hello ✓" }} {{ b64dec "aGVsbG8=" }} {{ b32enc "hi" }} {{ sha256sum "x" }} {{ sha1sum "x" }} {{ adler32sum "x" }}',
  ),
  J(
    '{{ regexMatch "^h.*o$" .Values.str }} {{ regexFind "l+" .Values.str }} {{ regexFindAll "[aeiou]" "education" -1 }} {{ regexReplaceAll "(l+)" .Values.str "<$1>" }} {{ regexReplaceAll "(?P<x>l+)" .Values.str "[$x]" }} {{ regexSplit "," "a,b,c" 2 }}',
  ),
  J('{{ regexReplaceAllLiteral "l" .Values.str "$1" }} {{ regexQuoteMeta "a.b*c" }}'),
  J(
    '{{ semverCompare ">=1.2.0" "1.3.0" }} {{ semverCompare "~1.2" "1.3.0" }} {{ semverCompare "^1.0.0" "1.9.9" }} {{ semverCompare ">=1.23.0-0" "v1.33.0" }}',
  ),
  J('{{ base "/a/b.txt" }} {{ dir "/a/b.txt" }} {{ ext "x.tar.gz" }} {{ clean "a//b/../c" }} {{ isAbs "/x" }}'),
  J(
    '{{ typeOf .Values.int }} {{ typeOf 1 }} {{ typeOf .Values.list }} {{ kindOf .Values.nested }} {{ kindIs "string" .Values.str }}',
  ),
  J('{{ deepEqual .Values.list (list 3 1 2) }} {{ deepEqual (list 1) (list 1) }}'),
  // JSON
  J(
    '{{ toJson .Values.nested }} {{ toJson .Values.mixed }} {{ toJson "<a&b>" }} {{ toJson .Values.big }} {{ toJson .Values.small }} {{ toJson .Values.bigger }}',
  ),
  J('{{ toPrettyJson .Values.image }} {{ toRawJson (dict "h" "<b>") }}'),
  J(
    '{{ (fromJson "{\\"a\\": [1, 2.5, \\"x\\"], \\"b\\": null}").a }} {{ fromJsonArray "[1,2]" }} {{ (fromJson "[1]").Error }}',
  ),
  J('{{ toJson .Values.keys }}'),
  // YAML output: whole documents (raw), exactly as templates use toYaml
  R('{{ toYaml .Values }}'),
  R('v:\n{{ toYaml .Values.mixed | indent 2 }}'),
  R('n:\n{{- toYaml .Values.nested | nindent 2 }}'),
  R('s: {{ toYaml .Values.str }}\nm: {{ toYaml .Values.multi | quote }}'),
  R(
    '{{ toYaml (dict "long" .Values.long "longword" .Values.longword "lead" .Values.leading "trail" .Values.trailing "tab" .Values.tab) }}',
  ),
  R(
    '{{ toYaml (dict "colon" .Values.colon "hash" .Values.hash "dash" .Values.dash "star" .Values.star "special" .Values.special "tilde" .Values.tilde) }}',
  ),
  R(
    '{{ toYaml (dict "quoted" .Values.quoted "numstr" .Values.numstr "date" .Values.datestr "yes" "yes" "on" "on" "y" "y" "null" "null" "empty" "" "float" "1.5" "exp" "1e3" "octal" "0755" "base60" "1:20" "dot" ".5") }}',
  ),
  R(
    '{{ toYaml (dict "multiKeep" .Values.multiKeep "multi" .Values.multi "lead" "\\n\\nx" "sp" "a \\nb" "crlf" "a\\r\\nb" "ctrl" .Values.ctrl "uni" .Values.unicode) }}',
  ),
  R('{{ toYaml (list (list 1 2) (list) (dict) (dict "a" (list (dict "b" 1)))) }}'),
  R('{{ toYaml (dict "f1" 1.5 "f2" 1e6 "f3" 0.00001 "f4" 1234567.5 "f5" 1e21 "i" 3 "n" nil "b" false) }}'),
  R('k: {{ toYaml .Values.emptyMap }}\nl: {{ toYaml .Values.emptyList }}\nn: {{ toYaml .Values.nul }}'),
  R('{{ toYaml .Values.keys }}'),
  R(
    '{{ $m := fromYaml "a: 1\\nb: [x, y]\\nc: {d: yes}\\ne: 2024-01-01\\nf: 1.0" }}{{ toYaml $m }}\nt: {{ typeOf $m.a }}',
  ),
  R('{{ $m := fromYaml "- a\\n- b" }}err: {{ $m.Error | quote }}'),
  R('{{ range fromYamlArray "- 1\\n- two" }}- {{ . }}\n{{ end }}'),
  R('{{ tpl "tpl: {{ .Values.str }}" . }}'),
  R('{{ tpl "{{ .missing }}x" (dict) }}'),
  R('a: {{ include "helper" .Values.str | quote }}'),
  R('{{ .Files.Get "files/a.txt" | quote }}'),
  R('{{ range $p, $_ := .Files.Glob "files/*" }}- {{ $p }}\n{{ end }}'),
  R('{{ (.Files.Glob "files/*").AsConfig }}'),
  R('{{ (.Files.Glob "files/a.txt").AsSecrets }}'),
  R('lines: {{ .Files.Lines "files/a.txt" | toJson }}'),
  R(
    'chart: {{ .Chart.Name }}-{{ .Chart.Version }}-{{ .Chart.AppVersion }}\nrel: {{ .Release.Name }}/{{ .Release.Namespace }}/{{ .Release.Service }}/{{ .Release.IsInstall }}/{{ .Release.Revision }}',
  ),
  R(
    'kube: {{ .Capabilities.KubeVersion }} {{ .Capabilities.KubeVersion.Major }} {{ .Capabilities.KubeVersion.Minor }} {{ .Capabilities.APIVersions.Has "apps/v1" }}',
  ),
  R('tpl: {{ .Template.Name }} {{ .Template.BasePath }}'),
  R('{{ lookup "v1" "Pod" "ns" "x" | toJson }}'),
  // output handling: documents, separators, comments
  R('a: 1\n---\nb: 2\n\n\n---\n---\n# only a comment\n---   \nc: 3'),
  R(
    'kind: Service\nmetadata:\n  name: s\n---\nkind: Deployment\nmetadata:\n  name: d\n---\nkind: ConfigMap\nmetadata:\n  name: c\n---\nkind: Unknown\nmetadata:\n  name: u',
  ),
  R(
    'kind: Pod\nmetadata:\n  name: hook\n  annotations:\n    helm.sh/hook: pre-install\n---\nkind: Pod\nmetadata:\n  name: normal',
  ),
  // One file of block includes (as a generated service chart's templates/resources.yaml): each define starts its
  // documents with ---, one renders nothing, one writes two documents that the kind sort swaps.
  R(
    [
      '{{- define "mi-rbac" }}\n---\nkind: RoleBinding\nmetadata:\n  name: rb\n---\nkind: Role\nmetadata:\n  name: r\n{{- end }}',
      '{{- define "mi-none" }}\n{{- if false }}\n---\nkind: Job\n{{- end }}\n{{- end }}',
      '{{- define "mi-svc" }}\n---\nkind: Service\nmetadata:\n  name: s\n{{- end }}',
      '{{- define "mi-cm" }}\n{{- range list "a" "b" }}\n---\nkind: ConfigMap\nmetadata:\n  name: {{ . }}\n{{- end }}\n{{- end }}',
      '{{ include "mi-cm" . }}\n{{ include "mi-none" . }}\n{{ include "mi-rbac" . }}\n{{ include "mi-svc" . }}\n',
    ].join('\n'),
  ),
  R('not: [valid'),
  R('metadata:\n  annotations:\n    n: 1'),
  R('just a string'),
  R('{{ "" }}'),
  // parse errors
  J('{{ nosuchfunc 1 }}'),
  J('{{ if }}x{{ end }}'),
  J('{{ end }}'),
  J('{{ range .Values.list }}'),
  J('{{ $undefined }}'),
  J('{{ "unterminated }}'),
  J('{{ .Values.str | }}'),
  J('{{ break }}'),
  J('{{ template "nonexistent" }}'),
  J('{{ include "nonexistent" . }}'),
  J('{{ 3 | printf "%d" }}'),
  J('{{ (1) 2 }}'),
];

/** Every top-level value of CASE_VALUES through printing, fmt verbs, conversions, string functions and YAML/JSON. */
export const VALUE_MATRIX_CASES: TemplateCase[] = CASE_VALUES.split('\n')
  .map((l) => /^([A-Za-z]\w*):/.exec(l)?.[1])
  .filter((k): k is string => !!k)
  .flatMap((k) => {
    const v = `.Values.${k}`;
    const s = `(toString ${v})`;
    return [
      R(`k:{{ toYaml ${v} | nindent 2 }}\nj: {{ toJson ${v} }}\nq: {{ quote ${v} }}`),
      R(`{{ toYaml (dict "${k}" ${v} "list" (list ${v})) }}`),
      J(
        `{{ squote ${v} }}|{{ toString ${v} }}|{{ typeOf ${v} }}|{{ kindOf ${v} }}|{{ empty ${v} }}|{{ default "D" ${v} }}|{{ if ${v} }}T{{ else }}F{{ end }}`,
      ),
      J(
        `{{ printf "%v|%s|%d|%q|%t|%x|%5.1f|%T" ${v} ${v} ${v} ${v} ${v} ${v} ${v} ${v} }}|{{ print ${v} 1 }}|{{ toPrettyJson ${v} }}`,
      ),
      J(`{{ int ${v} }}|{{ int64 ${v} }}|{{ float64 ${v} }}|{{ add ${v} 1 }}|{{ mul ${v} 2 }}|{{ toDecimal ${v} }}`),
      J(
        `{{ $s := ${s} }}{{ upper $s }}|{{ lower $s }}|{{ title $s }}|{{ trim $s }}|{{ trunc 5 $s }}|{{ b64enc $s }}|{{ sha256sum $s }}|{{ len $s }}|{{ nospace $s }}|{{ indent 2 $s }}|{{ nindent 1 $s }}|{{ replace " " "_" $s }}|{{ substr 0 3 $s }}|{{ contains "o" $s }}|{{ trimSuffix "o" $s }}|{{ splitList " " $s }}|{{ regexReplaceAll "[aeiou]" $s "*" }}|{{ sortAlpha (splitList "" $s) }}`,
      ),
    ];
  });

const HELPERS = `{{- define "helper" -}}helper:{{ . }}{{- end -}}
`;

function chartFiles(cases: Array<{ i: number; c: TemplateCase }>): Map<string, string> {
  const files = new Map<string, string>();
  files.set('Chart.yaml', 'apiVersion: v2\nname: c\nversion: 1.2.3\nappVersion: "4.5"\n');
  files.set('values.yaml', CASE_VALUES);
  files.set('templates/_helpers.tpl', HELPERS);
  files.set('files/a.txt', 'line 1\nline 2\n');
  files.set('files/b.conf', 'key=value\n');
  for (const { i, c } of cases) {
    const id = String(i).padStart(3, '0');
    if (c.kind === 'json') {
      files.set(`templates/_case-${id}.tpl`, `{{ define "case-${id}" }}${c.body}{{ end }}`);
      files.set(`templates/case-${id}.yaml`, `v: {{ include "case-${id}" . | toJson }}\n`);
    } else files.set(`templates/case-${id}.yaml`, c.body);
  }
  return files;
}

/** The text of each `case-NNN.yaml` in a `helm template` stream. */
function sectionsByCase(stream: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /^---\n# Source: c\/templates\/(case-\d+)\.yaml\n/gm;
  const marks = [...stream.matchAll(re)];
  marks.forEach((m, k) => {
    const start = m.index! + m[0].length;
    const end = k + 1 < marks.length ? marks[k + 1]!.index! : stream.length;
    out.set(m[1]!, (out.get(m[1]!) ?? '') + stream.slice(start, end));
  });
  return out;
}

export interface TemplateCaseResult {
  index: number;
  body: string;
  outcome: Outcome;
}

const RELEASE = { releaseName: 'rel', namespace: 'ns', kubeVersion: '1.33' };

/**
 * Renders all cases with the engine (one by one) and with helm, and compares them. helm renders the cases the
 * engine renders in one chart (a case helm refuses there is named in its error, taken out, and the rest run
 * again); each case the engine refuses gets a chart of its own, so one helm run judges it alone (before, every
 * refusal cost a run of all the remaining cases: some 30 runs of 200 templates).
 */
export async function runTemplateCases(
  cases: TemplateCase[] = [...TEMPLATE_CASES, ...VALUE_MATRIX_CASES],
): Promise<TemplateCaseResult[]> {
  const indexed = cases.map((c, i) => ({ i, c }));
  const engineResult = new Map<number, { ok: boolean; out: string }>();
  for (const { i, c } of indexed) {
    try {
      const out = renderChart({ files: chartFiles([{ i, c }]) }, RELEASE).manifests;
      engineResult.set(i, { ok: true, out: sectionsByCase(out).get(caseId(i)) ?? '' });
    } catch (e) {
      engineResult.set(i, {
        ok: false,
        out: e instanceof HelmError ? e.message : `internal error: ${(e as Error).stack}`,
      });
    }
  }
  const helmResult = new Map<number, { ok: boolean; out: string }>();
  const tmp = mkdtempSync(join(tmpdir(), 'helm-engine-cases-'));
  let runs = 0;
  const helmTemplate = (pending: Array<{ i: number; c: TemplateCase }>) => {
    const dir = join(tmp, `r${runs++}`, 'c');
    for (const [p, text] of chartFiles(pending)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), text);
    }
    return runHelm(
      [
        'template',
        dir,
        '--name-template',
        RELEASE.releaseName,
        '--namespace',
        RELEASE.namespace,
        '--kube-version',
        RELEASE.kubeVersion,
      ],
      { timeoutSeconds: 120 },
    );
  };
  try {
    let pending = indexed.filter(({ i }) => engineResult.get(i)!.ok);
    for (let round = 0; pending.length > 0 && round < cases.length + 1; round++) {
      const r = await helmTemplate(pending);
      if (r.code === 0) {
        const secs = sectionsByCase(r.stdout);
        for (const { i } of pending) helmResult.set(i, { ok: true, out: secs.get(caseId(i)) ?? '' });
        break;
      }
      // The failing case is named in the error (its template or its define's file); take it out.
      const m = /case-(\d{3})/.exec(r.stderr);
      if (!m) throw new Error(`helm failed on no single case: ${r.stderr}`);
      const bad = Number(m[1]);
      helmResult.set(bad, { ok: false, out: r.stderr });
      pending = pending.filter((p) => p.i !== bad);
    }
    await mapLimit(
      indexed.filter(({ i }) => !engineResult.get(i)!.ok),
      async (one) => {
        const r = await helmTemplate([one]);
        helmResult.set(
          one.i,
          r.code === 0
            ? { ok: true, out: sectionsByCase(r.stdout).get(caseId(one.i)) ?? '' }
            : { ok: false, out: r.stderr },
        );
      },
      2,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return indexed.map(({ i, c }) => ({
    index: i,
    body: c.body,
    outcome: compare(helmResult.get(i) ?? { ok: false, out: 'not run' }, engineResult.get(i)!),
  }));
}

const caseId = (i: number) => `case-${String(i).padStart(3, '0')}`;
