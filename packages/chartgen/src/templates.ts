import Handlebars from 'handlebars';

/** Template sources by name, e.g. `chart/deployment.yaml` for templates/chart/deployment.yaml.hbs. */
export type TemplateSources = Record<string, string>;

export interface Renderer {
  render(name: string, data: Record<string, unknown>): string;
}

/**
 * Pure: compiles the templates in an isolated Handlebars instance. `strict` makes a missing field an
 * error instead of an empty string; `noEscape` because the output is YAML, JSON, Markdown and Go
 * templates, never HTML. Helm's own `{{ }}` is written `\{{ }}` in the templates and comes out untouched.
 */
export function createRenderer(sources: TemplateSources): Renderer {
  const hb = Handlebars.create();
  hb.registerHelper('raw', (options: Handlebars.HelperOptions) => options.fn(undefined));
  const compiled = new Map<string, Handlebars.TemplateDelegate>();
  for (const [name, source] of Object.entries(sources)) {
    compiled.set(name, hb.compile(source, { strict: true, noEscape: true }));
  }
  return {
    render(name, data) {
      const t = compiled.get(name);
      if (!t) throw new Error(`no template "${name}" (known: ${[...compiled.keys()].sort().join(', ')})`);
      return t(data);
    },
  };
}
