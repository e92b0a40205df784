// The fast YAML reader (goyaml.ts) must give what the full reader gives whenever it does not give up.
// (HELM_ENGINE_CHECK_FAST_YAML=1 makes every read of the conformance sets this same comparison.)
import { describe, expect, it } from 'vitest';
import { CASE_VALUES } from '../src/conformance/template-cases.js';
import { YAML_PIECES } from '../src/conformance/yaml-pieces.js';
import { fastParseGoYaml, fullParseGoYaml, parseGoYaml, sameGo, toGoYaml } from '../src/goyaml.js';
import type { GoValue } from '../src/template/values.js';

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: das
  namespace: das
  labels:
    app.kubernetes.io/name: das
    app.kubernetes.io/version: "v1.2.3-stable"
  annotations:
    prometheus.io/scrape: "true"
    note: 'it''s # not a comment'
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: das
          image: "registry.cern.ch/cmsweb/das:v1.2.3"
          command:
            - /bin/bash
            - :18217
            - -address
          args: ["-c", "/etc/x.yml", -e, 3, 'q']
          ports:
          - name: http
            containerPort: 8217  # the port
          resources: {}
          env: []
          envFrom:
            -
              configMapRef:
                name: x
      volumes:
        - name: config
          configMap:
            name: das-config
---
kind: Ignored
`;

const CONFIG = `apiVersion: v1
kind: ConfigMap
data:
  a.yaml: |
    clients:
      - name: x

    # kept: a comment inside the block
    tab:\there
  b.txt: |-
    no newline
  c.txt: |+
    keep
  d: |
    last`;

/** Agreement whenever the fast path answers; returns whether it did. */
function agree(text: string): boolean {
  const fast = fastParseGoYaml(text);
  if (fast === undefined) return false;
  let full: GoValue;
  try {
    full = fullParseGoYaml(text);
  } catch (e) {
    throw new Error(`fast path read a text the full reader refuses (${(e as Error).message}):\n${text}`);
  }
  if (!sameGo(fast, full))
    throw new Error(`differs:\n${text}\nfast: ${JSON.stringify(fast)}\nfull: ${JSON.stringify(full)}`);
  return true;
}

/** A small deterministic generator (no dependence on Math.random). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('fast YAML reader', () => {
  it('reads rendered manifests and literal blocks itself, with the full reader’s values', () => {
    expect(agree(MANIFEST.split('---\n')[0]!)).toBe(true);
    expect(agree(CONFIG)).toBe(true);
    expect(fastParseGoYaml(CONFIG)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      data: {
        'a.yaml': 'clients:\n  - name: x\n\n# kept: a comment inside the block\ntab:\there\n',
        'b.txt': 'no newline',
        'c.txt': 'keep\n',
        d: 'last\n',
      },
    });
  });

  it('agrees on every edge value of the conformance cases, as written and as toYaml writes it', () => {
    expect(agree(CASE_VALUES.split('mixed:')[0]!)).toBe(true);
    // go-yaml folds long strings over lines: read back as one plain scalar.
    const long = toGoYaml({ cmd: ['sh', `${'word '.repeat(30)}-flag 0 | egrep "^[2-4]"`] });
    expect(long.split('\n').length).toBeGreaterThan(3);
    expect(agree(long)).toBe(true);
    const all = parseGoYaml(CASE_VALUES);
    for (const [k, v] of Object.entries(all as Record<string, GoValue>)) {
      agree(toGoYaml({ [k]: v }));
      agree(toGoYaml({ list: [v, { k: v }] }));
    }
  });

  it('gives up on what it does not read (the full reader decides)', () => {
    for (const text of [
      'a: {b: 1}\n',
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: one\n  - two\n',
      'a: one\n\n  two\n',
      'a: one # c\n  two\n',
      'a: >\n  folded\n',
      'a: |2\n   x\n',
      'a:\n\t- x\n',
      'a: "multi\n  line"\n',
      'a: - x\n',
      'a: b: c\n',
      '<<: {a: 1}\n',
      '"a": {b: 1}\n',
      '? complex\n: key\n',
      '%YAML 1.1\n---\na: 1\n',
      'a: 1\n---\nb: 2\n',
      'a: 1\r\nb: 2\r\n',
      'just a scalar\n',
      '',
      'a: .inf\n',
      'a: [1, [2]]\n',
      'a: "\\x41"\n',
    ])
      expect(fastParseGoYaml(text), JSON.stringify(text)).toBeUndefined();
  });

  it('never disagrees with the full reader on mutated documents', () => {
    const rnd = lcg(12345);
    // The shared fuzzing pieces, and what only this reader's bases make interesting.
    const pieces = [...YAML_PIECES, '  ', '{}', 'x'];
    const folded = toGoYaml({ args: ['-c', `${'sudo chmod 0777 /data; '.repeat(6)}-verbose 0 | egrep "^[2-4]"`] });
    const bases = [MANIFEST.split('---\n')[0]!, CONFIG, CASE_VALUES.split('anchors:')[0]!, folded];
    let answered = 0;
    for (let n = 0; n < 3000; n++) {
      let t = bases[n % bases.length]!;
      for (let m = 1 + Math.floor(rnd() * 3); m > 0; m--) {
        const at = Math.floor(rnd() * t.length);
        const op = rnd();
        if (op < 0.4) t = t.slice(0, at) + pieces[Math.floor(rnd() * pieces.length)]! + t.slice(at);
        else if (op < 0.7) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(rnd() * 3));
        else {
          // re-indent one line
          const start = t.lastIndexOf('\n', at) + 1;
          t =
            rnd() < 0.5
              ? `${t.slice(0, start)} ${t.slice(start)}`
              : t.slice(0, start) + t.slice(start).replace(/^ /, '');
        }
      }
      if (agree(t)) answered++;
    }
    // Most mutations keep a document the fast path reads; the point is that none of them disagrees.
    expect(answered).toBeGreaterThan(500);
  });
});
