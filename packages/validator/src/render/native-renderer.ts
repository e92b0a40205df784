import { readFile } from 'node:fs/promises';
import { HelmError, readChartDir, readSetFiles, renderChart } from '@cmsweb/helm-engine';
import { compileJsonSchema } from '../sources/ajv.js';
import { parseHelmError, SELF_REFERENCE_HINT } from './helm-errors.js';
import type { Renderer, RenderError, RenderRequest, RenderResult } from './renderer.js';

// The native renderer: @cmsweb/helm-engine in-process, byte-identical to `helm template` on every generated
// chart × environment and on every --set/--set-string/--set-file case of its conformance set (npm run
// conformance -w @cmsweb/helm-engine). --set-file's files are read here (the engine is pure), as helm reads
// them: relative to the working directory, a missing one failing with helm's `open <path>: ...` message.

/**
 * Pure: the values as helm's schema check sees them (JSON): the int64 of a --set line (a bigint in the engine)
 * is a JSON number. The same object when it holds no bigint.
 */
function jsonNumbers(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'object' || v === null) return v;
  let out: Record<string, unknown> | undefined;
  for (const [k, e] of Object.entries(v)) {
    const j = jsonNumbers(e);
    if (j === e) continue;
    out ??= (Array.isArray(v) ? [...v] : { ...v }) as Record<string, unknown>;
    out[k] = j;
  }
  return out ?? v;
}

const schemas = new Map<string, ReturnType<typeof compileJsonSchema> | Error>();
function validateValues(schema: string, values: object): string[] {
  let v = schemas.get(schema);
  if (!v) {
    try {
      v = compileJsonSchema(JSON.parse(schema));
    } catch (e) {
      v = e as Error;
    }
    schemas.set(schema, v);
  }
  if (v instanceof Error) return [`values.schema.json does not compile: ${v.message}`];
  if (v(jsonNumbers(values))) return [];
  return (v.errors ?? []).map((e) => `at '${e.instancePath || '/'}': ${e.message ?? 'invalid'}`);
}

const INCLUDE_SITE = /template: ([^\s:]+):(\d+):(\d+): executing "([^"]+)" at <include "\4"/g;

/** Self-includes nested at least this deep make a failure under them one short finding (deepSelfInclude). */
const SELF_INCLUDE_DEPTH = 100;

/**
 * Pure: a template included in itself SELF_INCLUDE_DEPTH levels deep or more that then failed another way
 * than at a depth limit (seen once in process under load: V8's default stack ran out where the engine could
 * not name it): one short finding at the innermost self-include with the reason, not the ~100 KB nested
 * message. Helm's own limit (1,000 nested includes) is left to parseHelmError, which names it as helm does.
 */
function deepSelfInclude(message: string): RenderError | undefined {
  if (message.includes('rendering template has a nested reference name')) return undefined;
  const sites = [...message.matchAll(INCLUDE_SITE)];
  if (sites.length < SELF_INCLUDE_DEPTH) return undefined;
  const site = sites.at(-1)!;
  const reason = message
    .slice(site.index + site[0].length)
    .replace(/^[^>]*>:\s*/, '')
    .replace(/^error calling include:\s*/, '')
    .trim();
  return {
    kind: 'template-execute',
    file: site[1]!.replace(/^[^/]+\//, ''),
    line: Number(site[2]),
    column: Number(site[3]),
    message: `template failed: "${site[4]}" includes itself ${sites.length} levels deep, then: ${reason.length > 120 ? `${reason.slice(0, 120)}…` : reason}: expected a recursion that stops, e.g. on a value that shrinks at each level`,
  };
}

/**
 * Pure: a template that includes or tpl's itself without end stops the engine at its depth limit (before
 * helm's 1,000 nested includes): one short finding at the innermost self-include, not the ~90 KB nested
 * message. Undefined for any other error.
 */
export function endlessRecursion(e: HelmError): RenderError | undefined {
  if (!/exceeded maximum template depth/.test(e.message)) return deepSelfInclude(e.message);
  const site = [...e.message.matchAll(INCLUDE_SITE)].pop();
  if (site)
    return {
      kind: 'template-execute',
      file: site[1]!.replace(/^[^/]+\//, ''),
      line: Number(site[2]),
      column: Number(site[3]),
      message: `template failed: "${site[4]}" includes itself without end (stopped at the engine's maximum template depth): expected a recursion that stops, e.g. on a value that shrinks at each level`,
    };
  return {
    kind: 'template-execute',
    ...(e.file ? { file: e.file.replace(/^[^/]+\//, '') } : {}),
    ...(e.line ? { line: e.line } : {}),
    ...(e.column ? { column: e.column } : {}),
    message: `template failed: it calls itself without end (stopped at the engine's maximum template depth): ${SELF_REFERENCE_HINT}`,
  };
}

export const nativeRenderer: Renderer = {
  name: 'native',
  async render(req: RenderRequest): Promise<RenderResult> {
    try {
      // --set lines as helm gets them (helm-renderer.ts): `name=value`, split and typed by the engine.
      const lines = (args?: Array<{ name: string; value: string }>) => (args ?? []).map((a) => `${a.name}=${a.value}`);
      const setFile = lines(req.setFile);
      const valueFiles = await Promise.all(
        req.valueFiles.map(async (f) => ({ name: f, text: await readFile(f, 'utf8') })),
      );
      if (req.inlineValues !== undefined) valueFiles.push({ name: 'values (inline)', text: req.inlineValues });
      const chart = readChartDir(req.chartDir);
      // source-controller's merged valuesFiles replace the chart's own values.yaml (RenderRequest.chartValues).
      if (req.chartValues !== undefined) chart.files.set('values.yaml', req.chartValues);
      const out = renderChart(chart, {
        releaseName: req.releaseName,
        namespace: req.namespace,
        kubeVersion: req.kubeVersion,
        valueFiles,
        apiVersions: req.apiVersions,
        includeCrds: !req.skipCrds,
        skipTests: req.skipTests,
        set: lines(req.set),
        setString: lines(req.setString),
        setFile,
        setFileContents: readSetFiles(setFile),
        ...(req.skipSchemaValidation ? {} : { validateValues }),
      });
      return { manifests: out.manifests };
    } catch (e) {
      if (!(e instanceof HelmError)) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'ENOENT') return { manifests: '', error: { kind: 'chart', message: err.message } };
        throw e;
      }
      const endless = endlessRecursion(e);
      if (endless) return { manifests: '', error: endless };
      // The engine's messages have helm's shapes: the same parser locates them as for helm's stderr.
      return { manifests: '', error: parseHelmError(`Error: ${e.message}`) };
    }
  },
};
