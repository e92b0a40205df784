import { describe, expect, it } from 'vitest';
import { createRenderer, readTemplateSources } from '../src/index.js';
import { CHART_TEMPLATE_FILES } from '../src/chart-files.js';
import { fixtureRepo, planFrom } from './helpers.js';

describe('Handlebars rendering', () => {
  it('leaves Helm\'s {{ .Values.x }} untouched while filling in its own fields', () => {
    const r = createRenderer({ t: 'image: \\{{ .Values.image.repository }}\nname: \\{{ include "{{name}}.fullname" . }}\n{{{{raw}}}}{{ .Values.x | quote }}{{{{/raw}}}}\n' });
    expect(r.render('t', { name: 'svc' })).toBe('image: {{ .Values.image.repository }}\nname: {{ include "svc.fullname" . }}\n{{ .Values.x | quote }}\n');
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

  it('the generated Helm templates keep Go template actions and no Handlebars syntax', async () => {
    const sources = await readTemplateSources();
    for (const t of CHART_TEMPLATE_FILES) expect(sources[`chart/${t}`]).toBeDefined();
    const planned = await planFrom(fixtureRepo);
    for (const t of CHART_TEMPLATE_FILES) {
      const text = planned.get(`charts/alpha/templates/${t}`)!;
      expect(text).toContain('{{');
      expect(text).not.toMatch(/\\\{\{/); // no leftover escapes
      expect(text).not.toMatch(/\{\{\{|\{\{#|\{\{\/(?!\*)|\{\{name\}\}/); // no Handlebars left
    }
    expect(planned.get('charts/alpha/templates/deployment.yaml')).toContain('replicas: {{ .Values.replicaCount }}');
    expect(planned.get('charts/alpha/templates/_helpers.tpl')).toContain('{{- printf "logs-cephfs-claim-%s-%s" $env .Release.Namespace }}');
  });
});
