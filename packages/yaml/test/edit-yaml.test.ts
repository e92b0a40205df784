import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { editYamlScalars, readYamlScalar, type YamlScalarEdit } from '../src/index.js';

const overlay = `# Overlay for dbs-global-r in prod.
image:
  # bumped by gitops-sync
  tag: v00.06.38-stable   # current release

  pullPolicy: IfNotPresent
replicaCount: 2
resources: { requests: { cpu: 500m } }
`;

const tag = (value: string | null, expect?: string | null): YamlScalarEdit => ({
  path: ['image', 'tag'],
  value,
  expect,
});
const digest = (value: string | null, expect?: string | null): YamlScalarEdit => ({
  path: ['image', 'digest'],
  value,
  expect,
});
const D = `sha256:${'a'.repeat(64)}`;

function edit(text: string, edits: YamlScalarEdit[]): string {
  const r = editYamlScalars(text, 'v.yaml', edits);
  if (!r.ok) throw new Error(r.findings.map((f) => `${f.line}:${f.column} ${f.message}`).join('\n'));
  return r.text;
}

/** Lines of `after` that differ from `before` at the same index (both must have the same line count). */
function changedLines(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b.length).toBe(a.length);
  return b.filter((line, i) => line !== a[i]);
}

describe('editYamlScalars: byte-minimal changes', () => {
  const cases: Array<{ name: string; text: string; edits: YamlScalarEdit[]; want: string }> = [
    {
      name: 'plain value keeps comments, spacing and blank lines',
      text: overlay,
      edits: [tag('v00.06.39-stable', 'v00.06.38-stable')],
      want: overlay.replace('tag: v00.06.38-stable ', 'tag: v00.06.39-stable '),
    },
    {
      name: 'double quotes stay',
      text: 'image:\n  tag: "v1"  # c\n',
      edits: [tag('v2', 'v1')],
      want: 'image:\n  tag: "v2"  # c\n',
    },
    {
      name: 'single quotes stay',
      text: "image:\n  tag: 'v1'\n",
      edits: [tag('v2', 'v1')],
      want: "image:\n  tag: 'v2'\n",
    },
    {
      name: 'a plain value that would read as a number gets quotes',
      text: 'image:\n  tag: v1\n',
      edits: [tag('1.10', 'v1')],
      want: 'image:\n  tag: "1.10"\n',
    },
    {
      name: 'a missing digest goes after the last key of image',
      text: overlay,
      edits: [digest(D, null)],
      want: overlay.replace('  pullPolicy: IfNotPresent\n', `  pullPolicy: IfNotPresent\n  digest: ${D}\n`),
    },
    {
      name: 'four-space indentation is followed',
      text: 'image:\n    tag: v1\nx: 1\n',
      edits: [digest(D, null)],
      want: `image:\n    tag: v1\n    digest: ${D}\nx: 1\n`,
    },
    {
      name: 'a missing image mapping is added at the end',
      text: '# only settings\nreplicaCount: 1\n',
      edits: [tag('v1', null), digest(D, null)],
      want: `# only settings\nreplicaCount: 1\nimage:\n  tag: v1\n  digest: ${D}\n`,
    },
    { name: 'an empty file gets image.tag', text: '', edits: [tag('v1', null)], want: 'image:\n  tag: v1\n' },
    {
      name: 'a comment-only file keeps its comment',
      text: '# nothing yet\n',
      edits: [tag('v1', null)],
      want: '# nothing yet\nimage:\n  tag: v1\n',
    },
    {
      name: 'an empty image: gets children',
      text: 'image:\nreplicaCount: 1\n',
      edits: [tag('v1', null)],
      want: 'image:\n  tag: v1\nreplicaCount: 1\n',
    },
    {
      name: 'an empty tag: gets its value',
      text: 'image:\n  tag:   # set me\n',
      edits: [tag('v1', null)],
      want: 'image:\n  tag: v1   # set me\n',
    },
    {
      name: 'no final newline',
      text: 'image:\n  tag: v1',
      edits: [digest(D, null)],
      want: `image:\n  tag: v1\n  digest: ${D}\n`,
    },
    {
      name: 'CRLF files get CRLF lines',
      text: 'image:\r\n  tag: v1\r\n',
      edits: [digest(D, null)],
      want: `image:\r\n  tag: v1\r\n  digest: ${D}\r\n`,
    },
    {
      name: 'flow mapping: set and add',
      text: 'image: { tag: v1 }\n',
      edits: [tag('v2', 'v1'), digest(D, null)],
      want: `image: { tag: v2, digest: ${D} }\n`,
    },
    {
      name: 'removing a key removes its line only',
      text: `image:\n  tag: v1\n  digest: ${D}  # pinned\nx: 1\n`,
      edits: [digest(null, D)],
      want: 'image:\n  tag: v1\nx: 1\n',
    },
    {
      name: 'removing an absent key changes nothing',
      text: 'image:\n  tag: v1\n',
      edits: [digest(null, null)],
      want: 'image:\n  tag: v1\n',
    },
    {
      name: 'a nested last value: insertion after the nested block',
      text: 'image:\n  tag: v1\n  pull:\n    policy: Always\n\nx: 1\n',
      edits: [digest(D)],
      want: `image:\n  tag: v1\n  pull:\n    policy: Always\n  digest: ${D}\n\nx: 1\n`,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = edit(c.text, c.edits);
      expect(out).toBe(c.want);
      for (const e of c.edits) expect(readYamlScalar(out, 'v.yaml', e.path)).toBe(e.value);
    });
  }

  it('a two-value change differs from the original in exactly those two lines', () => {
    const text = `image:\n  tag: v1 # t\n  digest: ${D}\nreplicaCount: 2\n`;
    const out = edit(text, [tag('v2', 'v1'), digest(`sha256:${'b'.repeat(64)}`, D)]);
    expect(changedLines(text, out)).toEqual(['  tag: v2 # t', `  digest: sha256:${'b'.repeat(64)}`]);
    expect(parse(out)).toEqual({ image: { tag: 'v2', digest: `sha256:${'b'.repeat(64)}` }, replicaCount: 2 });
  });

  it('reports changed: false when the values are already there', () => {
    const r = editYamlScalars('image:\n  tag: v1\n', 'v.yaml', [tag('v1', 'v1')]);
    expect(r).toEqual({ ok: true, text: 'image:\n  tag: v1\n', changed: false });
  });
});

describe('editYamlScalars: refusals', () => {
  // By the finding each refusal gives: the case's name, the file, the edits, the line and message expected.
  const refusals: Record<
    string,
    Array<{ name: string; text: string; edits: YamlScalarEdit[]; line: number; message: RegExp }>
  > = {
    'yaml-edit-conflict': [
      {
        name: 'compare-and-swap: the value changed meanwhile',
        text: 'image:\n  tag: v9\n',
        edits: [tag('v2', 'v1')],
        line: 2,
        message: /image\.tag is "v9", expected "v1"/,
      },
      {
        name: 'compare-and-swap: expected absent',
        text: `image:\n  tag: v1\n  digest: ${D}\n`,
        edits: [digest('sha256:' + 'c'.repeat(64), null)],
        line: 3,
        message: /expected absent/,
      },
    ],
    'yaml-edit-path': [
      {
        name: 'image is a scalar',
        text: 'image: nginx\n',
        edits: [tag('v1', null)],
        line: 1,
        message: /image is not a mapping/,
      },
      {
        name: 'tag is a mapping',
        text: 'image:\n  tag:\n    a: 1\n',
        edits: [tag('v1')],
        line: 3,
        message: /image\.tag is a mapping, expected a scalar/,
      },
      {
        name: 'several documents',
        text: 'a: 1\n---\nb: 2\n',
        edits: [tag('v1')],
        line: 2,
        message: /several YAML documents/,
      },
      {
        name: 'removing the only key',
        text: 'image:\n  digest: x\n',
        edits: [digest(null)],
        line: 2,
        message: /only key/,
      },
      {
        name: 'removing from a flow mapping',
        text: 'image: { tag: v1, digest: x }\n',
        edits: [digest(null)],
        line: 1,
        message: /block mapping/,
      },
    ],
    'yaml-syntax': [
      { name: 'broken YAML', text: 'image:\n  tag: "v1\n', edits: [tag('v2')], line: 2, message: /fix the file/ },
    ],
  };
  for (const [check, cases] of Object.entries(refusals)) {
    for (const c of cases) {
      it(c.name, () => {
        const r = editYamlScalars(c.text, 'v.yaml', c.edits);
        expect(r.ok).toBe(false);
        if (r.ok) return;
        expect(r.findings[0]).toMatchObject({ file: 'v.yaml', check, line: c.line, severity: 'error' });
        expect(r.findings[0]!.message).toMatch(c.message);
      });
    }
  }

  it('a conflict on one edit stops all of them', () => {
    const r = editYamlScalars('image:\n  tag: v9\n', 'v.yaml', [digest(D, null), tag('v2', 'v1')]);
    expect(r.ok).toBe(false);
  });
});
