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
import { UsageError } from '@cmsweb/toolkit';
import { runManifestsCommand, runRepoCommand } from '../../validator/src/commands.js';
import { DEFAULT_RENDERER } from '../../validator/src/render/default-renderer.js';
import { bump } from '../../gitops-sync/src/commands/change.js';
import { changeText, exitCodeOf } from '../../gitops-sync/src/format-output.js';
import { Refused } from '../../gitops-sync/src/shell/git-state.js';
import { main } from '../src/main.js';

// Fault injection over the catalog, the overlays, environment files, file types and CLI options: every
// case runs a command (chartgen, the validator and gitops-sync bump on environment files: in process where the
// case is about an input file or chartgen's options, the real CLI for FIFOs, the validator's options, limits
// and kills) on a temp copy of the fixture repository, already generated, and asserts what issue 14 asks of
// any input:
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
function run(bin: string, args: string[], cwd: string, more: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DEBUG: '0', ...more };
    delete env.FORCE_COLOR;
    delete env.NO_COLOR;
    const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code, signal) => resolve({ code, signal, out }));
  });
}

/**
 * chartgen's command line in this process (src/main.ts, what bin/chartgen.js runs), for the cases about
 * input: stdout and stderr in one string as a pipe would interleave them, DEBUG=0, `cwd` as the process's.
 * No signal can end it; the cases about the process itself (FIFOs, options, kills) spawn the real CLI.
 */
async function runInProcess(args: string[], cwd: string): Promise<Run> {
  let out = '';
  const write = (s: string) => void (out += s);
  const code = await main(args, {
    stdout: write,
    stderr: write,
    progress: { isTTY: false, write: () => true },
    env: { DEBUG: '0' },
    cwd,
  });
  return { code, signal: null, out };
}

/**
 * The validator's repository and manifests commands in this process (src/commands.ts, what bin/validator.js
 * runs), for the cases about input files: the options these cases use, the CLI's defaults (root = the current
 * directory, text output, no colour, $VALIDATOR_RENDERER else the default renderer), and the CLI's exits (bad
 * input: "validator: MESSAGE", 2; anything else thrown: "validator: internal error", 3). The Kubernetes schemas
 * are compiled once for all these cases instead of once per process. Options, FIFOs, render timeouts and the
 * render memory limit stay real CLI runs.
 */
async function validatorInProcess(args: string[], cwd: string): Promise<Run> {
  const manifests = args[0] === 'manifests';
  const paths: string[] = [];
  const o = { root: cwd, env: [] as string[], service: [] as string[], schemaLocation: [] as string[] };
  for (let i = manifests ? 1 : 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      if (!manifests) throw new Error(`validatorInProcess: unexpected argument ${a}`);
      paths.push(a);
    } else if (a === '--root') o.root = args[++i]!;
    else if (a === '--env') o.env.push(args[++i]!);
    else if (a === '--service') o.service.push(args[++i]!);
    else if (a === '--schema-location') o.schemaLocation.push(args[++i]!);
    else throw new Error(`validatorInProcess: option ${a} is not mapped: run this case as a real CLI`);
  }
  const common = { root: o.root, output: 'text', schemaLocation: o.schemaLocation, crd: [], color: false };
  try {
    const out = manifests
      ? await runManifestsCommand(paths, common)
      : await runRepoCommand({
          ...common,
          env: o.env,
          service: o.service,
          renderer: process.env.VALIDATOR_RENDERER || DEFAULT_RENDERER,
        });
    return { code: out.exitCode, signal: null, out: `${out.stdout}${out.stderr ?? ''}` };
  } catch (e) {
    if (e instanceof UsageError) return { code: 2, signal: null, out: `validator: ${e.message}\n` };
    return { code: 3, signal: null, out: `validator: internal error: ${(e as Error).message}\n` };
  }
}

/**
 * `gitops-sync bump --root R --service S --env E --tag T` in this process (src/commands/change.ts, what
 * bin/gitops-sync.js runs): the report as the CLI prints it, and the CLI's exits (refused: "REFUSED: ...", 1; bad
 * input: "error: ...", 2; anything else thrown: "internal error", 3). The cases are about broken input files: git
 * and the files are real, only the start of node is saved.
 */
async function bumpInProcess(args: string[]): Promise<Run> {
  const flag = (name: string) => {
    const i = args.indexOf(name);
    if (i === -1 || i + 1 >= args.length) throw new Error(`bumpInProcess: ${name} missing in ${args.join(' ')}`);
    return args[i + 1]!;
  };
  if (args[0] !== 'bump' || args.length !== 9)
    throw new Error(`bumpInProcess: only "bump --root --service --env --tag" is mapped, not ${args.join(' ')}`);
  try {
    const r = await bump(
      { root: flag('--root'), service: flag('--service'), env: flag('--env'), tag: flag('--tag') },
      { ...process.env, DEBUG: '0' },
    );
    return { code: exitCodeOf(r), signal: null, out: changeText(r) };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof Refused) return { code: 1, signal: null, out: `REFUSED: ${message}\n` };
    if (e instanceof UsageError) return { code: 2, signal: null, out: `error: ${message}\n` };
    return { code: 3, signal: null, out: `internal error: ${message.split('\n')[0]}\n` };
  }
}

/** Hash of every entry under dir: path, type, link target, file content (FIFOs and devices are never opened). */
function treeHash(dir: string): string {
  const h = createHash('sha256');
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      if (!rel && name === '.git') continue;
      const p = rel ? `${rel}/${name}` : name;
      const s = lstatSync(join(dir, p));
      if (s.isSymbolicLink()) h.update(`L ${p} ${readlinkSync(join(dir, p))}\n`);
      else if (s.isDirectory()) {
        h.update(`D ${p}\n`);
        walk(p);
      } else if (s.isFile()) h.update(`F ${p} ${s.mode}\n`).update(readFileSync(join(dir, p)));
      else h.update(`O ${p}\n`);
    }
  };
  walk('');
  // git's own files change under any read (the index's stat cache): a repository counts by its refs and status.
  if (lstatSync(join(dir, '.git'), { throwIfNoEntry: false }))
    for (const args of [['for-each-ref'], ['rev-parse', 'HEAD'], ['status', '--porcelain', '--untracked-files=all']])
      h.update(execFileSync('git', args, { cwd: dir }));
  return h.digest('hex');
}

/** A generated copy of the fixture repository: the state every case starts from. */
let generated: string | undefined;
async function freshRepo(): Promise<string> {
  if (!generated) {
    generated = join(base, 'generated');
    cpSync(join(fixture, 'catalog'), join(generated, 'catalog'), { recursive: true });
    const r = await runInProcess(['generate', '--root', generated], workspace);
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
  command?: (root: string) => { bin: string; args: string[]; env?: Record<string, string> };
  /**
   * The command runs in process (runInProcess, validatorInProcess, bumpInProcess): a case about an input file,
   * or about an option the command parses (chartgen's own end-to-end runs are the FIFO and kill cases).
   */
  inProcess?: boolean;
  /** Exit codes this case may end with (all within 0..2). */
  accept?: number[];
  /** What the output must say (the clear message a refusal owes). */
  says?: RegExp;
}

const svc = (root: string, name = 'alpha') => join(root, 'catalog', 'services', `${name}.yaml`);
const OVERLAY = 'environments/dev/values/alpha.yaml';
const ENV_FILE = 'environments/dev/environment.yaml';
const GITOPS_SYNC = join(workspace, 'packages', 'gitops-sync', 'bin', 'gitops-sync.js');
const DEPTH = /:\d+:\d+:? .*nested more than 128 levels deep here \(collections inside collections; the limit is 128\)/;
const BOMB_LIMIT = /:\d+:\d+:? .*aliases expand too often .*the limit is 100\): write the values out/;
const deepFlow = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const deepMap = (n: number) => `${'{a: '.repeat(n)}1${'}'.repeat(n)}`;
const BOMB =
  'x0: &a [z, z, z, z, z, z, z, z, z]\nx1: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nx2: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nx3: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n';
const validateAlpha = (r: string, ...more: string[]) => ({
  bin: VALIDATOR,
  args: ['--root', r, '--env', 'dev', '--service', 'alpha', ...more],
});
/** The repository as a git clone with its first commit, for gitops-sync. */
function gitInit(root: string): void {
  const g = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'ignore' });
  g('init', '-q', '-b', 'main');
  g('-c', 'user.name=fault', '-c', 'user.email=fault@example.org', 'add', '-A');
  g('-c', 'user.name=fault', '-c', 'user.email=fault@example.org', 'commit', '-q', '-m', 'generated');
}
const bumpAlpha = (r: string) => ({
  bin: GITOPS_SYNC,
  args: ['bump', '--root', r, '--service', 'alpha', '--env', 'dev', '--tag', 'v9.9.9'],
});
const setText = (file: string, edit: (t: string) => string) => writeFileSync(file, edit(readFileSync(file, 'utf8')));
const replaceWith = (file: string, make: (p: string) => void) => {
  rmSync(file, { recursive: true, force: true });
  make(file);
};

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
  { name: 'alias bomb', setup: (r) => setText(svc(r), (t) => `${t}\n${BOMB}`), says: BOMB_LIMIT },
  {
    name: 'a list nested 3,000 deep',
    setup: (r) => setText(svc(r), (t) => `${t}\nargs: ${deepFlow(3000)}\n`),
    says: DEPTH,
  },
  {
    name: 'block mappings nested 200 deep in a service file',
    setup: (r) =>
      setText(
        svc(r),
        (t) => `${t}\nx:\n${Array.from({ length: 200 }, (_, i) => `${' '.repeat(i + 1)}a:`).join('\n')} 1\n`,
      ),
    says: DEPTH,
  },
  {
    name: 'cluster.yaml: a mapping nested 3,000 deep',
    setup: (r) => setText(join(r, 'catalog/cluster.yaml'), (t) => `${t}\nx: ${deepMap(3000)}\n`),
    says: DEPTH,
  },
  {
    name: 'environment.yaml nested 3,000 deep',
    setup: (r) => setText(join(r, ENV_FILE), (t) => `${t}\nx: ${deepFlow(3000)}\n`),
    says: DEPTH,
  },
  {
    name: 'environment.yaml alias bomb',
    setup: (r) => setText(join(r, ENV_FILE), (t) => `${t}\n${BOMB}`),
    says: BOMB_LIMIT,
  },
  {
    name: 'validator: an overlay nested 3,000 deep',
    inProcess: true,
    setup: (r) => setText(join(r, OVERLAY), (t) => `${t}\nx: ${deepFlow(3000)}\n`),
    command: (r) => validateAlpha(r),
    says: DEPTH,
  },
  {
    name: 'validator: an overlay alias bomb',
    inProcess: true,
    setup: (r) => setText(join(r, OVERLAY), (t) => `${t}\n${BOMB}`),
    command: (r) => validateAlpha(r),
    says: BOMB_LIMIT,
  },
  {
    name: "validator: a chart's values.schema.json nested 5,000 deep",
    inProcess: true,
    setup: (r) => writeFileSync(join(r, 'charts/alpha/values.schema.json'), `{"a": ${deepFlow(5000)}}\n`),
    command: (r) => validateAlpha(r),
    says: /values\.schema\.json:1:\d+ .*nested more than 128 levels deep/,
  },
  {
    name: 'validator: a chart whose tpl renders itself (helm never finishes; --render-timeout 0.5)',
    setup: (r) =>
      writeFileSync(
        join(r, 'charts/alpha/templates/loop.yaml'),
        '{{- $loop := dict "t" "{{ tpl .t . }}" }}\nloop: {{ tpl $loop.t $loop }}\n',
      ),
    command: (r) => validateAlpha(r, '--renderer', 'helm', '--render-timeout', '0.5'),
    accept: [1],
    says: /helm did not finish in 0\.5 s rendering charts\/alpha for environment dev and was stopped: a template that includes or tpl's itself\?/,
  },
  {
    name: 'validator: a chart whose range never ends (native renderer; --render-timeout 0.5)',
    setup: (r) =>
      writeFileSync(
        join(r, 'charts/alpha/templates/loop.yaml'),
        '{{- range until 100000 }}{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}{{ end }}\nx: 1\n',
      ),
    command: (r) => validateAlpha(r, '--renderer', 'native', '--render-timeout', '0.5'),
    accept: [1],
    says: /the native renderer did not finish in 0\.5 s rendering charts\/alpha for environment dev and was stopped: a range over a huge list/,
  },
  {
    // The smallest heap the validator accepts (64 MB): the render process fills it before it fails, so a larger
    // one only costs time. When renders ran on worker threads this case aborted the whole validator about one
    // time in ten (V8's heap limit of a thread is best-effort: README "Hostile input").
    name: 'validator: a chart that builds a list of 100 million numbers (native renderer; VALIDATOR_RENDER_MEMORY_MB=64)',
    setup: (r) =>
      writeFileSync(join(r, 'charts/alpha/templates/bomb.yaml'), '{{- $n := until 100000000 }}\nx: {{ len $n }}\n'),
    command: (r) => ({
      ...validateAlpha(r, '--renderer', 'native', '--render-timeout', '600'),
      env: { VALIDATOR_RENDER_MEMORY_MB: '64' },
    }),
    accept: [1],
    says: /charts\/alpha\/Chart\.yaml:1:1 .*the native renderer ran out of memory rendering the chart \(more than its 64 MB heap\)/,
  },
  {
    name: 'validator: a chart whose named template includes itself',
    inProcess: true,
    setup: (r) =>
      writeFileSync(
        join(r, 'charts/alpha/templates/loop.yaml'),
        '{{- define "self" }}{{ include "self" . }}{{ end }}\nloop: {{ include "self" . }}\n',
      ),
    command: (r) => validateAlpha(r),
    accept: [1],
    says: /charts\/alpha\/templates\/loop\.yaml:1:\d+ .*"self" includes itself without end/,
  },
  {
    name: 'validator --render-timeout 0',
    setup: () => undefined,
    command: (r) => validateAlpha(r, '--render-timeout', '0'),
    accept: [2],
    says: /--render-timeout: expected a number of seconds greater than 0/,
  },
  {
    name: 'validator: validator.yaml nested 3,000 deep',
    inProcess: true,
    setup: (r) => writeFileSync(join(r, 'validator.yaml'), `checks: ${deepMap(3000)}\n`),
    command: (r) => ({
      bin: VALIDATOR,
      args: ['manifests', join(r, 'environments/dev/cluster/namespaces.yaml'), '--root', r],
    }),
    accept: [2],
    says: DEPTH,
  },
  {
    name: 'validator manifests: a --schema-location schema nested 5,000 deep',
    inProcess: true,
    setup: (r) => {
      mkdirSync(join(r, 'schemas'), { recursive: true });
      writeFileSync(join(r, 'schemas/namespace-v1.json'), `{"a": ${deepFlow(5000)}}\n`);
    },
    command: (r) => ({
      bin: VALIDATOR,
      args: [
        'manifests',
        join(r, 'environments/dev/cluster/namespaces.yaml'),
        '--root',
        r,
        '--schema-location',
        join(r, 'schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json'),
      ],
    }),
    accept: [1],
    says: /schemas\/namespace-v1\.json:1:\d+: nested more than 128 levels deep.*schema-unusable/,
  },
  {
    name: 'validator: validator.yaml alias bomb',
    inProcess: true,
    setup: (r) => writeFileSync(join(r, 'validator.yaml'), BOMB),
    command: (r) => ({
      bin: VALIDATOR,
      args: ['manifests', join(r, 'environments/dev/cluster/namespaces.yaml'), '--root', r],
    }),
    accept: [2],
    says: BOMB_LIMIT,
  },
  {
    name: 'gitops-sync bump: an overlay nested 3,000 deep',
    inProcess: true,
    setup: (r) => {
      setText(join(r, OVERLAY), (t) => `${t}\nx: ${deepFlow(3000)}\n`);
      gitInit(r);
    },
    command: bumpAlpha,
    says: DEPTH,
  },
  {
    name: 'gitops-sync bump: an overlay alias bomb',
    inProcess: true,
    setup: (r) => {
      setText(join(r, OVERLAY), (t) => `${t}\n${BOMB}`);
      gitInit(r);
    },
    command: bumpAlpha,
    says: BOMB_LIMIT,
  },
  {
    name: 'gitops-sync bump: environment.yaml nested 3,000 deep',
    inProcess: true,
    setup: (r) => {
      setText(join(r, ENV_FILE), (t) => `${t}\nx: ${deepFlow(3000)}\n`);
      gitInit(r);
    },
    command: bumpAlpha,
    says: DEPTH,
  },
  {
    name: 'the temporary file of a chartgen killed mid-write (removed, exit 0)',
    setup: (r) => writeFileSync(join(r, 'charts/alpha/.values.yaml.99999999.k3x9a1.tmp'), 'replicaCount: 1\nimage:\n'),
    accept: [0],
    says: /removed charts\/alpha\/\.values\.yaml\.99999999\.k3x9a1\.tmp/,
  },
  {
    name: 'a temporary file of a chartgen still running (kept, exit 0)',
    setup: (r) => writeFileSync(join(r, `charts/alpha/.values.yaml.${process.pid}.k3x9a1.tmp`), 'partial\n'),
    accept: [0],
    says: /cannot prove it wrote it .*left in place/,
  },
  {
    // charts/.generated is written last, outside every chart directory: the kill test once left this behind.
    name: 'the temporary file of charts/.generated of a chartgen killed mid-write (removed, exit 0)',
    setup: (r) => writeFileSync(join(r, 'charts/..generated.99999999.aeh8wp.tmp'), 'charts/alpha/Chart.yaml\n'),
    accept: [0],
    says: /removed charts\/\.\.generated\.99999999\.aeh8wp\.tmp/,
  },
  {
    name: 'a temporary file of charts/.generated of a chartgen still running (kept, exit 0)',
    setup: (r) => writeFileSync(join(r, `charts/..generated.${process.pid}.aeh8wp.tmp`), 'partial\n'),
    accept: [0],
    says: /cannot prove it wrote it .*left in place/,
  },
  {
    name: 'a foreign file in a generated chart (kept, exit 0)',
    setup: (r) => writeFileSync(join(r, 'charts/alpha/templates/mine.yaml'), 'kind: ConfigMap\n'),
    accept: [0],
  },
  {
    name: "--root='$(touch pwned)'",
    inProcess: true,
    setup: () => undefined,
    command: () => ({ bin: CHARTGEN, args: ['generate', '--root', '$(touch pwned)'] }),
  },
  {
    name: '--root a file outside',
    inProcess: true,
    setup: () => undefined,
    command: () => ({ bin: CHARTGEN, args: ['generate', '--root', secretFile] }),
  },
  {
    name: 'unknown option',
    inProcess: true,
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
    inProcess: true,
    setup: () => undefined,
    command: (r) => ({
      bin: VALIDATOR,
      args: ['manifests', join(r, 'environments/dev/cluster/namespaces.yaml'), '--schema-location', '/nonexistent'],
    }),
    accept: [2],
    says: /--schema-location "\/nonexistent": \/nonexistent does not exist: expected "default"/,
  },
  {
    name: 'validator manifests on a FIFO',
    setup: (r) => execFileSync('mkfifo', [join(r, 'pipe.yaml')]),
    command: (r) => ({ bin: VALIDATOR, args: ['manifests', join(r, 'pipe.yaml')] }),
  },
  {
    name: 'validator manifests: a List nested 3,000 deep',
    inProcess: true,
    setup: (r) => writeFileSync(join(r, 'deep.yaml'), `apiVersion: v1\nkind: List\nitems: ${deepFlow(3000)}\n`),
    command: (r) => ({ bin: VALIDATOR, args: ['manifests', join(r, 'deep.yaml')] }),
    says: DEPTH,
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
      inProcess: file.startsWith('environments/'),
    };
  });
}

const tally = { tried: 0, refused: 0, accepted: 0, unchangedOnRefusal: 0, noTrace: 0, noLeak: 0, said: 0, says: 0 };
const acceptedNames: string[] = [];
const tallyLine = () =>
  `fault suite: ${tally.tried} cases tried, ${tally.refused} refused cleanly (exit 1 or 2) with nothing written in ${tally.unchangedOnRefusal}, ${tally.accepted} accepted, ${tally.noTrace} without a stack trace, ${tally.noLeak} without leaking a file outside the repository, ${tally.said} of ${tally.says} with the message expected`;
const killLine = () =>
  `chartgen kills: ${killTally.kills} SIGKILLs at chosen writes (before the first rename, after the middle one, before and after the last), every file whole (old or new) after ${killTally.whole}, the next run completed the tree in ${killTally.completed}`;

describe('fault suite: hostile and broken input', { timeout: 600_000 }, () => {
  const cases = [...handWritten, ...fuzzCases()];
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const root = await freshRepo();
    c.setup(root);
    const before = treeHash(root);
    const { bin, args, env } = c.command?.(root) ?? { bin: CHARTGEN, args: ['generate', '--root', root] };
    // chartgen generate on broken input runs in process, and so do the validator and gitops-sync bump on a broken
    // input file, and chartgen's options; a FIFO (a blocking read would hang this process), render limits and
    // the validator's other options run the real CLI.
    const inProcess = !c.command && !/FIFO/.test(c.name);
    const r =
      inProcess || (c.inProcess && bin === CHARTGEN)
        ? await runInProcess(args, root)
        : c.inProcess && bin === VALIDATOR
          ? await validatorInProcess(args, root)
          : c.inProcess && bin === GITOPS_SYNC
            ? await bumpInProcess(args)
            : await run(bin, args, root, env);
    tally.tried++;
    expect(r.signal, r.out).toBeNull();
    expect(c.accept ?? [0, 1, 2], r.out).toContain(r.code);
    expect(r.out).not.toMatch(/\n\s+at .*:\d+:\d+|internal error/);
    tally.noTrace++;
    expect(r.out).not.toContain(SECRET);
    tally.noLeak++;
    if (c.says) {
      tally.says++;
      expect(r.out).toMatch(c.says);
      tally.said++;
    }
    if (r.code !== 0) {
      tally.refused++;
      expect(treeHash(root), 'a refused command changes nothing').toBe(before);
      tally.unchangedOnRefusal++;
    } else {
      tally.accepted++;
      acceptedNames.push(c.name);
    }
    expect(lstatSync(join(root, 'pwned'), { throwIfNoEntry: false })).toBeUndefined();
    rmSync(root, { recursive: true, force: true });
  });

  it('summary', () => {
    console.log(tallyLine());
    expect(tally.tried).toBe(cases.length);
  });
});

// Kills at chosen points: chartgen generate, SIGKILLed in the middle of a generation that writes most files
// (charts/ deleted, the repository URL changed), must leave every file whole, the old or the new content, never
// part of one; the next run then removes the temporary files the kill left, completes the tree exactly, and
// --check passes. The kill comes from inside the process (test/fixtures/kill-at-rename.mjs, preloaded) at a
// rename of its atomic writes (16 at once): just before the first (only temporary files), just after the middle
// one (half the tree new, writes in flight), just before and just after the last (every file but one; every
// file, the run not finished). Each kill lands among the writes, where random delays mostly landed in node's
// start-up, before any; a kill costs a whole generation up to its point, so four, each a different state.
const KILL_POINTS = (writes: number) => [
  'before:1',
  `after:${Math.ceil(writes / 2)}`,
  `before:${writes}`,
  `after:${writes}`,
];
const KILL_AT_RENAME = join(here, 'fixtures', 'kill-at-rename.mjs');

function runKilledAt(point: string, args: string[], cwd: string): Promise<Run & { killed: boolean }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DEBUG: '0', KILL_AT_RENAME: point };
    const child = spawn(process.execPath, ['--import', KILL_AT_RENAME, CHARTGEN, ...args], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code, signal) => resolve({ code, signal, out, killed: signal === 'SIGKILL' }));
  });
}

/** Every regular file under dir (symlinks and .git aside): path → content. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel))) {
      const p = rel ? `${rel}/${name}` : name;
      const s = lstatSync(join(dir, p));
      if (s.isDirectory()) walk(p);
      else if (s.isFile()) files.set(p, readFileSync(join(dir, p), 'utf8'));
    }
  };
  walk('');
  return files;
}

const killTally = { kills: 0, whole: 0, completed: 0, killed: 0, temporary: 0 };
const bigChange = (root: string) => {
  rmSync(join(root, 'charts'), { recursive: true });
  setText(join(root, 'catalog/cluster.yaml'), (t) =>
    t.replace(/repoURL: \S+/, 'repoURL: https://git.example.org/other.git'),
  );
};

describe('kills at chosen points: chartgen generate', { timeout: 900_000 }, () => {
  it('SIGKILLs before the first write, after the middle one, before and after the last leave every file whole, and the next run completes the tree', async () => {
    // The tree a completed run leaves (in process: what is asserted is the tree), and how many files it writes.
    const reference = await freshRepo();
    bigChange(reference);
    const before = snapshot(reference);
    const r0 = await runInProcess(['generate', '--root', reference], reference);
    expect(r0.code, r0.out).toBe(0);
    const done = snapshot(reference);
    const writes = [...done].filter(([path, text]) => before.get(path) !== text).length;
    expect(writes, 'the change rewrites most of the tree').toBeGreaterThan(done.size / 2);
    for (const point of KILL_POINTS(writes)) {
      const root = await freshRepo();
      const old = snapshot(root);
      bigChange(root);
      const r = await runKilledAt(point, ['generate', '--root', root], root);
      killTally.kills++;
      // Each point is reached: the last one too, so `writes` is every rename the run makes.
      expect([r.killed, r.code], `kill ${point}: ${r.out}`).toEqual([true, null]);
      killTally.killed++;
      expect(r.out).not.toMatch(/\n\s+at .*:\d+:\d+|internal error/);
      for (const [path, text] of snapshot(root)) {
        // a temporary file of the atomic write, or the old or the new content of a file
        if (/(^|\/)\.[^/]+\.\d+\.[a-z0-9]+\.tmp$/.test(path)) {
          killTally.temporary++;
          continue;
        }
        expect([old.get(path), done.get(path)], `kill ${point}: ${path}`).toContain(text);
      }
      killTally.whole++;
      // Killed after the last rename: every file is new and no temporary file is left (`writes` is every rename).
      if (point === `after:${writes}`) expect(snapshot(root), 'killed after the last write').toEqual(done);
      // The next runs (not killed) in process: what is asserted is the tree they leave.
      const next = await runInProcess(['generate', '--root', root], root);
      expect(next.code, next.out).toBe(0);
      expect(snapshot(root), `kill ${point}: the next run completes the tree, temporary files included`).toEqual(done);
      expect((await runInProcess(['generate', '--check', '--root', root], root)).code).toBe(0);
      killTally.completed++;
      rmSync(root, { recursive: true, force: true });
    }
    rmSync(reference, { recursive: true, force: true });
    // Kills before a rename leave its temporary file (and those of the writes beside it): the next run's to remove.
    expect(killTally.temporary).toBeGreaterThan(0);
  });
});

describe('the figure in the README', () => {
  it('is the tally of this run', () => {
    const line = tallyLine();
    console.log(
      `${line}\n${killLine()} (this run: ${killTally.killed} killed before the end, ${killTally.temporary} temporary files left by the kills and removed by the next run)\naccepted (valid after the change): ${acceptedNames.join('; ')}`,
    );
    if (tally.tried === 0) return; // a filtered run (-t): no figure to compare
    const readme = readFileSync(join(workspace, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(readme.includes(line), `README.md "Hostile input" must quote this run's figure: ${line}`).toBe(true);
  });
});
