import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Fault injection over the catalog, the overlays, environment files, file types and CLI options: every
// case runs the real CLI (chartgen, and the validator on environment files) on a temp copy of the fixture
// repository, already generated, and asserts what issue 14 asks of any input:
//   exit code in {0, 1, 2} (never 3, never a signal), no stack trace, no byte of a file outside the
//   repository in the output, and nothing written or deleted when the command refuses (tree hash).
// Hand-written cases name the hostile inputs of the issue; fuzzed cases mutate catalog files with a
// seeded generator (deterministic: the same cases on every run). The summary line is the README figure.

const here = dirname(fileURLToPath(import.meta.url));
const workspace = join(here, '..', '..', '..');
const fixture = join(here, 'fixtures', 'repo');
const CHARTGEN = join(workspace, 'packages', 'chartgen', 'bin', 'chartgen.js');
const VALIDATOR = join(workspace, 'packages', 'validator', 'bin', 'validator.js');
const SECRET = 'SENTINEL-OUTSIDE-THE-REPOSITORY-7f3a';
const FUZZ_CASES = 24;
const SEED = 14;

const base = mkdtempSync(join(tmpdir(), 'fault-suite-'));
const secretFile = join(base, 'secret.yaml');
writeFileSync(secretFile, `name: ${SECRET}\npassword: ${SECRET}\n`);
afterAll(() => rmSync(base, { recursive: true, force: true }));

interface Run {
  code: number | null;
  signal: string | null;
  out: string;
}
function run(bin: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    const env = { ...process.env, DEBUG: '0' };
    delete env.FORCE_COLOR;
    delete env.NO_COLOR;
    const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code, signal) => resolve({ code, signal, out }));
  });
}

/** Hash of every entry under dir: path, type, link target, file content (FIFOs and devices are never opened). */
function treeHash(dir: string): string {
  const h = createHash('sha256');
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const p = rel ? `${rel}/${name}` : name;
      const s = lstatSync(join(dir, p));
      if (s.isSymbolicLink()) h.update(`L ${p} ${readlinkSync(join(dir, p))}\n`);
      else if (s.isDirectory()) h.update(`D ${p}\n`), walk(p);
      else if (s.isFile()) h.update(`F ${p} ${s.mode}\n`).update(readFileSync(join(dir, p)));
      else h.update(`O ${p}\n`);
    }
  };
  walk('');
  return h.digest('hex');
}

/** A generated copy of the fixture repository: the state every case starts from. */
let generated: string | undefined;
async function freshRepo(): Promise<string> {
  if (!generated) {
    generated = join(base, 'generated');
    cpSync(join(fixture, 'catalog'), join(generated, 'catalog'), { recursive: true });
    const r = await run(CHARTGEN, ['generate', '--root', generated], workspace);
    if (r.code !== 0) throw new Error(`fixture generation failed: ${r.out}`);
  }
  const dir = mkdtempSync(join(base, 'case-'));
  cpSync(generated, dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

interface Case {
  name: string;
  /** Breaks the repository (or leaves it). */
  setup: (root: string) => void;
  /** The command: chartgen generate by default. */
  command?: (root: string) => { bin: string; args: string[] };
  /** Exit codes this case may end with (all within 0..2). */
  accept?: number[];
}

const svc = (root: string, name = 'alpha') => join(root, 'catalog', 'services', `${name}.yaml`);
const setText = (file: string, edit: (t: string) => string) => writeFileSync(file, edit(readFileSync(file, 'utf8')));
const replaceWith = (file: string, make: (p: string) => void) => (
  rmSync(file, { recursive: true, force: true }), make(file)
);

const handWritten: Case[] = [
  { name: 'catalog/services missing', setup: (r) => rmSync(join(r, 'catalog/services'), { recursive: true }) },
  {
    name: 'catalog/services a regular file',
    setup: (r) => replaceWith(join(r, 'catalog/services'), (p) => writeFileSync(p, 'x\n')),
  },
  {
    name: 'catalog/services a symlink out of the repository',
    setup: (r) => replaceWith(join(r, 'catalog/services'), (p) => symlinkSync(base, p)),
  },
  {
    name: 'service file a symlink to a secret outside',
    setup: (r) => replaceWith(svc(r), (p) => symlinkSync(secretFile, p)),
  },
  {
    name: 'cluster.yaml a symlink to a secret outside',
    setup: (r) => replaceWith(join(r, 'catalog/cluster.yaml'), (p) => symlinkSync(secretFile, p)),
  },
  { name: 'service file a dangling symlink', setup: (r) => replaceWith(svc(r), (p) => symlinkSync('nowhere.yaml', p)) },
  { name: 'service file a symlink loop', setup: (r) => replaceWith(svc(r), (p) => symlinkSync(p, p)) },
  { name: 'service file a FIFO', setup: (r) => replaceWith(svc(r), (p) => execFileSync('mkfifo', [p])) },
  { name: 'service file a directory', setup: (r) => replaceWith(svc(r), (p) => mkdirSync(p)) },
  {
    name: 'cluster.yaml a FIFO',
    setup: (r) => replaceWith(join(r, 'catalog/cluster.yaml'), (p) => execFileSync('mkfifo', [p])),
  },
  {
    name: 'generated chart directory a symlink out',
    setup: (r) => replaceWith(join(r, 'charts/alpha'), (p) => symlinkSync(base, p)),
  },
  { name: 'charts/ a regular file', setup: (r) => replaceWith(join(r, 'charts'), (p) => writeFileSync(p, 'x\n')) },
  {
    name: 'a generated file replaced by a directory',
    setup: (r) => replaceWith(join(r, 'charts/alpha/values.yaml'), (p) => mkdirSync(p)),
    accept: [2],
  },
  {
    name: 'URL prefix with a newline',
    setup: (r) => setText(svc(r), (t) => `${t}\nurlPrefixes: ["/x\\n^/evil other.example.org"]\n`),
  },
  { name: 'description with a NUL byte', setup: (r) => setText(svc(r), (t) => `${t}\ndescription: "a\\0b"\n`) },
  {
    name: 'description with invalid UTF-8',
    setup: (r) =>
      writeFileSync(
        svc(r),
        Buffer.concat([readFileSync(svc(r)), Buffer.from([0x64, 0x65, 0x73, 0x63, 0x3a, 0x20, 0xc3, 0x28, 0x0a])]),
      ),
  },
  {
    name: 'repoURL "not a url; rm -rf /"',
    setup: (r) =>
      setText(join(r, 'catalog/cluster.yaml'), (t) => t.replace(/repoURL: [^\s,}]+/, 'repoURL: "not a url; rm -rf /"')),
  },
  {
    name: 'rulePrefix that is no RE2 regex',
    setup: (r) =>
      setText(join(r, 'catalog/cluster.yaml'), (t) => t.replace(/rulePrefix: [^\s,}]+/, "rulePrefix: '^/auth/('")),
  },
  {
    name: 'initialTag "bad tag!"',
    setup: (r) => setText(svc(r), (t) => t.replace(/initialTag: \S+/, 'initialTag: "bad tag!"')),
  },
  {
    name: 'image repository with spaces and uppercase',
    setup: (r) => setText(svc(r), (t) => t.replace(/repository: \S+/, 'repository: "Registry/My Image"')),
  },
  { name: 'replicas: 1e400', setup: (r) => setText(svc(r), (t) => `${t}\nreplicas: 1e400\n`) },
  {
    name: 'alias bomb',
    setup: (r) =>
      setText(
        svc(r),
        (t) =>
          `${t}\nx0: &a [z, z, z, z, z, z, z, z, z]\nx1: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nx2: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nx3: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n`,
      ),
  },
  {
    name: 'a list nested 3,000 deep',
    setup: (r) => setText(svc(r), (t) => `${t}\nargs: ${'['.repeat(3000)}${']'.repeat(3000)}\n`),
  },
  {
    name: 'a foreign file in a generated chart (kept, exit 0)',
    setup: (r) => writeFileSync(join(r, 'charts/alpha/templates/mine.yaml'), 'kind: ConfigMap\n'),
    accept: [0],
  },
  {
    name: "--root='$(touch pwned)'",
    setup: () => undefined,
    command: () => ({ bin: CHARTGEN, args: ['generate', '--root', '$(touch pwned)'] }),
  },
  {
    name: '--root a file outside',
    setup: () => undefined,
    command: () => ({ bin: CHARTGEN, args: ['generate', '--root', secretFile] }),
  },
  {
    name: 'unknown option',
    setup: () => undefined,
    command: (r) => ({ bin: CHARTGEN, args: ['generate', '--root', r, '--frobnicate'] }),
  },
  {
    name: 'validator --kube-version 1.99',
    setup: () => undefined,
    command: (r) => ({
      bin: VALIDATOR,
      args: ['manifests', join(r, 'environments/dev/cluster/namespaces.yaml'), '--kube-version', '1.99'],
    }),
  },
  {
    name: 'validator --schema-location /nonexistent',
    setup: () => undefined,
    command: (r) => ({
      bin: VALIDATOR,
      args: ['manifests', join(r, 'environments/dev/cluster/namespaces.yaml'), '--schema-location', '/nonexistent'],
    }),
  },
  {
    name: 'validator manifests on a FIFO',
    setup: (r) => execFileSync('mkfifo', [join(r, 'pipe.yaml')]),
    command: (r) => ({ bin: VALIDATOR, args: ['manifests', join(r, 'pipe.yaml')] }),
  },
  {
    name: 'validator manifests: a List nested 3,000 deep',
    setup: (r) =>
      writeFileSync(
        join(r, 'deep.yaml'),
        `apiVersion: v1\nkind: List\nitems: ${'['.repeat(3000)}${']'.repeat(3000)}\n`,
      ),
    command: (r) => ({ bin: VALIDATOR, args: ['manifests', join(r, 'deep.yaml')] }),
  },
  {
    name: 'validator: validator.yaml a FIFO',
    setup: (r) => execFileSync('mkfifo', [join(r, 'validator.yaml')]),
    command: (r) => ({
      bin: VALIDATOR,
      args: ['manifests', join(r, 'environments/dev/cluster/namespaces.yaml'), '--root', r],
    }),
  },
];

/** A small seeded generator (mulberry32): the fuzzed cases are the same on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE = [
  '\u0000',
  'a\nb: c',
  '$(touch pwned)',
  '`id`',
  '../../../etc/passwd',
  '"',
  "'",
  '{{ .Values }}',
  '*x',
  '&a',
  ': :',
  '- -',
  '\t',
  'x'.repeat(5000),
  '1e400',
  '-1',
  'on',
  'null',
  '~',
  '[',
  '{',
  '#',
  '\u202e',
  'é',
  '\u001b[31m',
];

function fuzzCases(): Case[] {
  const rnd = prng(SEED);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const files = [
    'catalog/cluster.yaml',
    ...readdirSync(join(fixture, 'catalog/services')).map((n) => `catalog/services/${n}`),
    'environments/dev/values/alpha.yaml',
  ];
  return Array.from({ length: FUZZ_CASES }, (_, i): Case => {
    const file = pick(files);
    const kind = pick(['value', 'bytes', 'truncate', 'indent', 'duplicate'] as const);
    const hostile = pick(HOSTILE);
    const at = rnd();
    const byte = Math.floor(rnd() * 256);
    return {
      name: `fuzz #${i}: ${kind} in ${file}${kind === 'value' ? ` (${JSON.stringify(hostile.slice(0, 20))})` : ''}`,
      setup: (root) => {
        const p = join(root, file);
        const buf = readFileSync(p);
        const lines = buf.toString('utf8').split('\n');
        const n = Math.floor(at * Math.max(1, lines.length - 1));
        if (kind === 'value') lines[n] = lines[n]!.replace(/:\s.*$/, `: ${JSON.stringify(hostile)}`);
        if (kind === 'indent') lines[n] = ` ${lines[n]}`;
        if (kind === 'duplicate') lines.splice(n, 0, lines[n]!);
        if (kind === 'bytes')
          return writeFileSync(
            p,
            Buffer.concat([
              buf.subarray(0, Math.floor(at * buf.length)),
              Buffer.from([byte]),
              buf.subarray(Math.floor(at * buf.length)),
            ]),
          );
        if (kind === 'truncate') return writeFileSync(p, buf.subarray(0, Math.floor(at * buf.length)));
        writeFileSync(p, lines.join('\n'));
      },
      // Overlays are read by the validator; catalog files by chartgen.
      command: file.startsWith('environments/')
        ? (r) => ({ bin: VALIDATOR, args: ['--root', r, '--env', 'dev', '--service', 'alpha'] })
        : undefined,
    };
  });
}

const tally = { tried: 0, refused: 0, accepted: 0, unchangedOnRefusal: 0, noTrace: 0, noLeak: 0 };

describe('fault suite: hostile and broken input', { timeout: 600_000 }, () => {
  const cases = [...handWritten, ...fuzzCases()];
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const root = await freshRepo();
    c.setup(root);
    const before = treeHash(root);
    const { bin, args } = c.command?.(root) ?? { bin: CHARTGEN, args: ['generate', '--root', root] };
    const r = await run(bin, args, root);
    tally.tried++;
    expect(r.signal, r.out).toBeNull();
    expect(c.accept ?? [0, 1, 2], r.out).toContain(r.code);
    expect(r.out).not.toMatch(/\n\s+at .*:\d+:\d+|internal error/);
    tally.noTrace++;
    expect(r.out).not.toContain(SECRET);
    tally.noLeak++;
    if (r.code !== 0) {
      tally.refused++;
      expect(treeHash(root), 'a refused command changes nothing').toBe(before);
      tally.unchangedOnRefusal++;
    } else tally.accepted++;
    expect(lstatSync(join(root, 'pwned'), { throwIfNoEntry: false })).toBeUndefined();
    rmSync(root, { recursive: true, force: true });
  });

  it('summary', () => {
    const line = `fault suite: ${tally.tried} cases tried, ${tally.refused} refused cleanly (exit 1 or 2) with nothing written in ${tally.unchangedOnRefusal}, ${tally.accepted} accepted, ${tally.noTrace} without a stack trace, ${tally.noLeak} without leaking a file outside the repository`;
    console.log(line);
    expect(tally.tried).toBe(cases.length);
  });
});
