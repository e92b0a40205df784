import type { Finding, ResourceRef } from '../findings.js';
import type { PolicyContext } from '../checks/check.js';
import { isEnabled, type ValidatorConfig } from '../config/validator-config.js';
import { singleObjectFindings } from '../validate-objects.js';
import { crossObjectReads, projectorFor, type ObjectProjector } from '../checks/object-facts.js';
import type { KubeObject, Resource } from '../resources.js';
import type { CreateKubeSchemaValidator, KubeSchemaValidator } from '../schema/schema-validator.js';
import { fastLoad } from './fast-parse.js';
import { addObject, parseChunk } from './parse-manifests.js';
import { retain, type StringTable } from './retained.js';
import { textLocator } from './text-locate.js';

/** One document chunk of an input file (see splitDocuments), numbered across all inputs. */
export interface Chunk {
  id: number;
  file: string;
  text: string;
  startLine: number;
}

/** A resource as it crosses a worker boundary: plain data; positions are recomputed from the chunk. */
export interface PlainResource {
  chunk: number;
  docIndex: number;
  base: Array<string | number>;
  /** Only the parts the enabled cross-object checks read (see object-facts.ts). */
  object: KubeObject;
  ref: ResourceRef;
}

export interface ChunkCheckOptions {
  kubernetesVersion: string;
  schemaLocations?: string[];
  config: ValidatorConfig;
  context: PolicyContext;
  /** Test hook: false sends every chunk through the slow path (parseYaml with positions). Default true. */
  fastPath?: boolean;
}

export interface ChunkBatchResult {
  findings: Finding[];
  resources: PlainResource[];
}

/** Where a fast-path resource with an unsure position points: never shown, its chunk is checked again on the slow path. */
const NOWHERE = { line: 0, column: 0 };

/** Checks batches of chunks with one schema validator (compiled schemas are kept between batches). */
export interface ChunkChecker {
  check(chunks: Chunk[]): Promise<ChunkBatchResult>;
}

/**
 * Everything that looks at one object at a time, for batches of chunks: YAML, shape, schema, API
 * lifecycle and single-object policy checks. Runs inline or in a worker thread with the same result.
 *
 * Two paths with one result. The fast path loads each chunk with js-yaml (see fast-parse.ts) and runs
 * the checks on the values; it only decides which chunks are clean. Every chunk it cannot load, and every
 * chunk with a finding, goes through the slow path: parseYaml with positions, exactly as if there were no
 * fast path. Single-object checks look at one object at a time, so the slow path over a subset of the
 * chunks gives these chunks' findings, in the same relative order.
 */
export async function createChunkChecker(
  opts: ChunkCheckOptions,
  createSchemas: CreateKubeSchemaValidator,
): Promise<ChunkChecker> {
  const enabled = (id: string) => isEnabled(opts.config, id);
  const schemas = await createSchemas({
    kubernetesVersion: opts.kubernetesVersion,
    schemaLocations: opts.schemaLocations,
  });
  // The fast path costs about a fifth of the slow path per document and only pays for the documents it
  // settles. Where most documents have findings (e.g. warnings on every object), later batches skip it,
  // trying it again on every FAST_PATH_PROBE-th batch. Either way the result is the same.
  let settledShare = 1;
  let batch = 0;
  const facts = projectorFor(crossObjectReads(enabled), opts.context.ignoreAnnotation);
  const strings: StringTable = new Map();
  return {
    check: async (chunks) => {
      const tryFast = opts.fastPath !== false && (settledShare >= FAST_PATH_MIN_SHARE || batch % FAST_PATH_PROBE === 0);
      batch++;
      const { result, settled } = await checkChunks(chunks, schemas, opts, enabled, tryFast, facts, strings);
      if (tryFast && chunks.length) settledShare = (settledShare + settled / chunks.length) / 2;
      return result;
    },
  };
}

/** The fast path is skipped while it settles a smaller share of the documents than this... */
const FAST_PATH_MIN_SHARE = 0.2;
/** ...except on every this-many-th batch, to notice when that changes. */
const FAST_PATH_PROBE = 8;

/** One batch with a checker of its own (see createChunkChecker). */
export async function checkChunkBatch(
  chunks: Chunk[],
  opts: ChunkCheckOptions,
  createSchemas: CreateKubeSchemaValidator,
): Promise<ChunkBatchResult> {
  return (await createChunkChecker(opts, createSchemas)).check(chunks);
}

/** A batch, and how many of its chunks the fast path settled. */
async function checkChunks(
  chunks: Chunk[],
  schemas: KubeSchemaValidator,
  opts: ChunkCheckOptions,
  enabled: (id: string) => boolean,
  tryFast: boolean,
  facts: ObjectProjector,
  strings: StringTable,
): Promise<{ result: ChunkBatchResult; settled: number }> {
  const byChunk = new Map<number, PlainResource[]>();
  let slowChunks = chunks;
  let kept: Finding[] = [];
  if (tryFast) {
    const slow = new Set<number>();
    const fast: Resource[] = [];
    const chunkOf = new Map<ResourceRef, number>();
    for (const chunk of chunks) {
      const loaded = fastLoad(chunk.text);
      if (!loaded) {
        slow.add(chunk.id);
        continue;
      }
      if (loaded.value === null) continue;
      const shape: Finding[] = [];
      const plain: PlainResource[] = [];
      // Positions from the text itself (text-locate.ts), only for the fields findings name; where that
      // reader is unsure, the chunk goes to the slow path, which gives every position.
      const inText = textLocator(chunk.text, { remember: true });
      const offset = chunk.startLine - 1;
      const locate = (path: ReadonlyArray<string | number>) => {
        const at = inText(path);
        if (!at) {
          slow.add(chunk.id);
          return NOWHERE;
        }
        return { line: at.line + offset, column: at.column };
      };
      const mine: Resource[] = [];
      addObject(loaded.value, [], { file: chunk.file, locate }, {}, shape, (resource, base) => {
        plain.push({ chunk: chunk.id, docIndex: 0, base, object: resource.object, ref: resource.ref });
        mine.push(resource);
      });
      if (shape.length) {
        slow.add(chunk.id);
        continue;
      }
      for (const r of mine) {
        fast.push(r);
        chunkOf.set(r.ref, chunk.id);
      }
      if (plain.length) byChunk.set(chunk.id, plain);
    }
    // A finding stays when its chunk stays on the fast path: then every position it holds was found.
    const found = await singleObjectFindings(fast, {
      schemas,
      kubernetesVersion: opts.kubernetesVersion,
      context: opts.context,
      enabled,
    });
    for (const f of found) {
      const id = f.resource && chunkOf.get(f.resource);
      // A finding always names its resource; one that did not would send every chunk to the slow path.
      if (id === undefined) for (const c of chunks) slow.add(c.id);
    }
    kept = found.filter((f) => !slow.has(chunkOf.get(f.resource!)!));
    for (const id of slow) byChunk.delete(id);
    slowChunks = chunks.filter((c) => slow.has(c.id));
  }

  const findings: Finding[] = kept;
  const resources: Resource[] = [];
  for (const chunk of slowChunks) {
    const r = parseChunk(chunk, chunk.file);
    findings.push(...r.findings);
    const plain: PlainResource[] = [];
    for (const o of r.resources) {
      resources.push(o.resource);
      plain.push({
        chunk: chunk.id,
        docIndex: o.docIndex,
        base: o.base,
        object: o.resource.object,
        ref: o.resource.ref,
      });
    }
    if (plain.length) byChunk.set(chunk.id, plain);
  }
  findings.push(
    ...(await singleObjectFindings(resources, {
      schemas,
      kubernetesVersion: opts.kubernetesVersion,
      context: opts.context,
      enabled,
    })),
  );
  // The checks of these objects are done: from here on only what the cross-object checks read is kept,
  // detached from the parsed texts (see retained.ts).
  const plain: PlainResource[] = [];
  for (const chunk of chunks)
    for (const p of byChunk.get(chunk.id) ?? []) plain.push(retain({ ...p, object: facts(p.object) }, strings));
  return {
    result: { findings: retain(findings, strings), resources: plain },
    settled: chunks.length - slowChunks.length,
  };
}
