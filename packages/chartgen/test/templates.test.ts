import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRenderer, readTemplateSources } from '../src/index.js';
import { CHART_TEMPLATE_FILE, CHART_TEMPLATE_KINDS, LIBRARY, LIBRARY_TEMPLATE_FILES } from '../src/chart-files.js';
import { fixtureRepo, planFrom } from './helpers.js';

describe('Handlebars rendering', () => {
  it("leaves Helm's {{ .Values.x }} untouched while filling in its own fields", () => {
    const r = createRenderer({
      t: 'image: \\{{ .Values.image.repository }}\nname: \\{{ include "{{name}}.fullname" . }}\n{{{{raw}}}}{{ .Values.x | quote }}{{{{/raw}}}}\n',
    });
    expect(r.render('t', { name: 'svc' })).toBe(
      'image: {{ .Values.image.repository }}\nname: {{ include "svc.fullname" . }}\n{{ .Values.x | quote }}\n',
    );
  });

  it('is strict: a missing field is an error, not an empty string', () => {
    const r = createRenderer({ t: 'name: {{name}}\n' });
    expect(() => r.render('t', {})).toThrow(/"name" not defined/);
  });

  it('does not HTML-escape (noEscape): quotes and ampersands pass through', () => {
    const r = createRenderer({ t: '{{v}}' });
    expect(r.render('t', { v: `a "b" & <c>` })).toBe(`a "b" & <c>`);
  });

  it('an unknown template name is an error naming the known ones', () => {
    expect(() => createRenderer({ a: '' }).render('b', {})).toThrow(/no template "b" \(known: a\)/);
  });

  it('is an isolated instance: helpers registered by one renderer do not leak', async () => {
    const Handlebars = (await import('handlebars')).default;
    createRenderer({ t: '' });
    expect(Handlebars.helpers.raw).toBeUndefined();
  });

  it('the library templates keep Go template actions and no Handlebars syntax', async () => {
    const sources = await readTemplateSources();
    for (const t of LIBRARY_TEMPLATE_FILES) expect(sources[`library/${t}`]).toBeDefined();
    const planned = await planFrom(fixtureRepo);
    for (const t of LIBRARY_TEMPLATE_FILES) {
      const text = planned.get(`charts/_library/templates/${t}`)!;
      expect(text).toContain('{{');
      expect(text).not.toMatch(/\\\{\{/); // no leftover escapes
      expect(text).not.toMatch(/\{\{\{|\{\{#|\{\{\/(?!\*)|\{\{name\}\}/); // no Handlebars left
    }
    expect(planned.get('charts/_library/templates/_deployment.tpl')).toContain('replicas: {{ .Values.replicaCount }}');
    expect(planned.get('charts/_library/templates/_helpers.tpl')).toContain(
      '{{- printf "logs-cephfs-claim-%s-%s" $env .Release.Namespace }}',
    );
  });

  it("a service chart's templates are one file, one include per kind in the order of the old per-kind files", async () => {
    const planned = await planFrom(fixtureRepo);
    const templates = [...planned.keys()].filter((p) => p.startsWith('charts/alpha/templates/'));
    expect(templates).toEqual([`charts/alpha/${CHART_TEMPLATE_FILE}`]);
    // Sorted by kind, as helm walked the files templates/<kind>.yaml: configmap first, statefulset last.
    const kinds = [...CHART_TEMPLATE_KINDS].sort();
    expect(kinds[0]).toBe('configmap');
    expect(kinds.at(-1)).toBe('statefulset');
    expect(planned.get(`charts/alpha/${CHART_TEMPLATE_FILE}`)).toBe(
      kinds.map((k) => `{{- include "fixture-library.${k}" . }}\n`).join(''),
    );
  });

  it('every document a kind template writes starts with ---: includes listed in one file never run together', async () => {
    const planned = await planFrom(fixtureRepo);
    const unseparated: string[] = [];
    for (const k of CHART_TEMPLATE_KINDS) {
      const lines = planned.get(`charts/_library/templates/_${k}.tpl`)!.split('\n');
      lines.forEach((l, i) => {
        if (!/^apiVersion:/.test(l)) return;
        // A YAML comment may sit between the separator and the document's first key.
        let j = i - 1;
        while (j >= 0 && lines[j]!.startsWith('#')) j--;
        if (lines[j] !== '---') unseparated.push(`_${k}.tpl:${i + 1}`);
      });
      expect(
        lines.some((l) => /^apiVersion:/.test(l)),
        `_${k}.tpl writes a document`,
      ).toBe(true);
    }
    expect(unseparated).toEqual([]);
  });

  // The library's version says which templates the service charts render with: a change to
  // templates/library/*.tpl.hbs needs a new LIBRARY.version (README.md, "Library chart") and its digest here.
  const LIBRARY_TEMPLATE_DIGESTS: Record<string, string> = {
    '1.0.0': 'e354294a611e43bd9902a444efc4a61c404cfc15e8a1e24442f8d22f193ac8a8',
    '1.1.0': '9016e2ebc01f5cf0825c8a58be32cad9239d8916d5eb505871adf50c485d99fe',
    // 1.2.0's sources were parametrised (issue 10: `<cluster name>-library`, `<name>-logs`, NetworkPolicy
    // without a frontend) without a version bump on purpose: for every cluster with a frontend the rendered
    // library is byte-identical to before (chartgen generate --check on the bundled catalog), and a new
    // version would have changed every chart of the bundled catalog for nothing. Was 65a4b6c2...e0d.
    '1.2.0': '2b328d5a1817da3888b9d1a44d7d344563271862e4dbd58f8a094415a29cec31',
    // 1.2.1: one template file per service chart; every document starts with `---`, the checksum is taken from
    // the ConfigMap define. Every rendered object is byte-identical (only the `# Source:` lines name the new file).
    '1.2.1': 'a1dc41cd61fb6b8c3afa79d12ede980e761e221961b8ad3bba4bf5c0a86374dc',
  };

  it(`the library templates are those of version ${LIBRARY.version} (a change bumps LIBRARY.version)`, async () => {
    const sources = await readTemplateSources();
    const hash = createHash('sha256');
    for (const t of [...LIBRARY_TEMPLATE_FILES].sort()) hash.update(`${t}.hbs\0${sources[`library/${t}`]}\0`);
    const digest = hash.digest('hex');
    expect(
      digest,
      `templates/library/*.tpl.hbs changed (sha256 ${digest}): bump LIBRARY.version in src/chart-files.ts and record the digest for it`,
    ).toBe(LIBRARY_TEMPLATE_DIGESTS[LIBRARY.version]);
  });
});
