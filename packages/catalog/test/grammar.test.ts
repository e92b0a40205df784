import { describe, expect, it } from 'vitest';
import {
  compileUserPattern,
  IMAGE_REFERENCE,
  IMAGE_REPOSITORY,
  IMAGE_TAG,
  re2Problem,
  repoUrlProblem,
  URL_PATH,
} from '../src/index.js';
import { CLUSTER, lines, load, service } from './fixtures.js';

// Every catalog string that reaches a generated file has a grammar, checked at load with file:line:column.
// The hostile values of issue 14, each refused with its position.

const F = 'catalog/services/httpgo.yaml';

describe('hostile catalog strings are refused at their position', () => {
  it.each([
    [
      'a URL prefix with a newline (an extra frontend rule)',
      service('httpgo', '', { prefix: '"/httpgo\\n^/evil backend.example.org"' }),
      `${F}:3:15 catalog-schema urlPrefixes[0]: contains a line break: expected one line of printable text (it would change the meaning of the generated files)`,
    ],
    [
      'a URL prefix with a space',
      service('httpgo', '', { prefix: '"/a b"' }),
      `${F}:3:15 catalog-schema urlPrefixes[0]: expected a URL path starting with "/" (letters, digits and -._~!$&'()*+,;=:@%/; no spaces, "?" or "#"), got string "/a b"`,
    ],
    [
      'a NUL byte in a description',
      service('httpgo', 'description: "ok\\0no"\n'),
      `${F}:6:1 catalog-schema description: contains the control character U+0000: expected one line of printable text (it would change the meaning of the generated files)`,
    ],
    [
      'an escape sequence in a description',
      service('httpgo', 'description: "\\e[31mred"\n'),
      `${F}:6:1 catalog-schema description: contains the control character U+001B: expected one line of printable text (it would change the meaning of the generated files)`,
    ],
    [
      'an initialTag "bad tag!"',
      service('httpgo', 'environments:\n  prod: { initialTag: "bad tag!" }\n'),
      `${F}:7:11 catalog-schema environments.prod.initialTag: expected an image tag: letters, digits, "_", "." and "-" (not first), at most 128 characters, got string "bad tag!"`,
    ],
    [
      'an image repository with spaces and uppercase',
      service('httpgo').replace(/repository: \S+/, 'repository: "Registry.cern.ch/CMS web"'),
      `${F}:4:10 catalog-schema image.repository: expected an image repository without tag, lowercase, no spaces, such as registry.cern.ch/cmsweb/dbs, got string "Registry.cern.ch/CMS web"`,
    ],
    [
      'a sidecar image with a space',
      service('httpgo', 'sidecars:\n  - { name: exp, image: "exporter latest" }\n'),
      `${F}:7:18 catalog-schema sidecars[0].image: expected an image reference such as docker.elastic.co/beats/filebeat:7.12.0 (lowercase repository, optional :tag and @sha256:digest), got string "exporter latest"`,
    ],
    [
      'a VM host that is no DNS name',
      service('vmsvc').split('\n').slice(0, 2).join('\n') + '\nvm: { hosts: ["-bad..host"] }\n',
      `catalog/services/httpgo.yaml:3:15 catalog-schema vm.hosts[0]: expected a lowercase DNS name such as vocms0132.cern.ch, got string "-bad..host"`,
    ],
    [
      'a nodeSelector label value with a slash',
      service('httpgo', 'nodeSelector: { role: "a/b" }\n'),
      `${F}:6:17 catalog-schema nodeSelector.role: expected a label value: at most 63 letters, digits, "-", "_" and "." (alphanumeric at both ends), got string "a/b"`,
    ],
  ])('%s', (_name, text, expected) => {
    const r = load({ [F]: text });
    expect(lines(r.findings)).toEqual([expected]);
    expect(r.catalog).toBeUndefined();
  });

  it.each([
    [
      'repoURL "not a url; rm -rf /"',
      (c: string) => c.replace(/repoURL: [^,}\s]+/, 'repoURL: "not a url; rm -rf /"'),
      /git\.repoURL: expected a Git repository URL .* \(this one contains whitespace or a control character\)/,
    ],
    [
      'repoURL with a file: scheme',
      (c: string) => c.replace(/repoURL: [^,}\s]+/, 'repoURL: "file:///etc"'),
      /git\.repoURL: expected a Git repository URL .* \(this one has scheme file\)/,
    ],
    [
      'a rulePrefix that does not compile in RE2',
      (c: string) => c.replace(/rulePrefix: [^ }]+/, "rulePrefix: '^/auth/(complete'"),
      /frontend\.rulePrefix: expected a regular expression in RE2 syntax \(the frontend is written in Go\) \(this one does not compile: missing closing \)/,
    ],
    [
      'a rulePrefix with a lookahead (not RE2)',
      (c: string) => c.replace(/rulePrefix: [^ }]+/, "rulePrefix: '^(?=/auth)'"),
      /frontend\.rulePrefix: expected a regular expression in RE2 syntax/,
    ],
    [
      'a branch with a space',
      (c: string) => c.replace(/branch: [^,}\s]+/, 'branch: "main; true"'),
      /git\.branch: expected a git branch name/,
    ],
  ])('cluster.yaml: %s', (_name, edit, expected) => {
    const cluster = edit(CLUSTER);
    expect(cluster).not.toBe(CLUSTER);
    const r = load({ [F]: service('httpgo') }, cluster);
    expect(lines(r.findings).join('\n')).toMatch(expected);
  });
});

describe('grammars', () => {
  it.each([
    [IMAGE_TAG, ['v1.2.3', 'HG2108h-stable', '1.10', '_x'], ['bad tag!', '-x', '.x', '', 'a'.repeat(129)]],
    [
      IMAGE_REPOSITORY,
      ['registry.cern.ch/cmsweb/dbs', 'cmssw/exporters', 'localhost:5000/a/b', 'a__b'],
      ['Registry/x', 'a b', 'a/B', 'a:tag', '/a', 'a//b'],
    ],
    [
      IMAGE_REFERENCE,
      ['docker.elastic.co/beats/filebeat:7.12.0', 'a/b@sha256:' + 'a'.repeat(64), 'a:1'],
      ['a:bad tag', 'A/b:1', 'a@sha256:xyz'],
    ],
    [URL_PATH, ['/dbs/prod/global/DBSReader', '/a-b_c.d~e', '/'], ['dbs', '/a b', '/a?x', '/a#y', '/a\nb']],
  ])('%s', (re, good, bad) => {
    for (const g of good) expect(re.test(g), g).toBe(true);
    for (const b of bad) expect(re.test(b), b).toBe(false);
  });

  it('repoUrlProblem accepts the URL forms Argo CD and Flux fetch', () => {
    for (const u of [
      'https://github.com/dmwm/cmsweb-gitops.git',
      'ssh://git@gitlab.cern.ch:7999/cmsweb/gitops.git',
      'git@github.com:dmwm/x.git',
    ])
      expect(repoUrlProblem(u), u).toBeUndefined();
    for (const u of ['not a url; rm -rf /', 'ftp://x/y', 'https://', 'https://h/x?y=1', 'https://h/a b'])
      expect(repoUrlProblem(u), u).toBeDefined();
  });

  it('re2Problem compiles RE2 syntax and refuses backreferences and lookaround', () => {
    expect(re2Problem('^/auth/complete')).toBeUndefined();
    expect(re2Problem('(a)\\1')).toBeDefined();
    expect(re2Problem('(?!x)')).toBeDefined();
  });

  it('a user pattern such as ^(a|aa)+$ against a long tag answers (RE2: linear time, no catastrophic backtracking)', () => {
    const p = compileUserPattern('^(a|aa)+$');
    expect(p.test(`${'a'.repeat(20_000)}!`)).toBe(false);
    expect(p.test('a'.repeat(20_000))).toBe(true);
    expect(compileUserPattern('-stable').test('v1-stable')).toBe(true); // unanchored, like RegExp#test
  });
});
