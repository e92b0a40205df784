import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '@cmsweb/toolkit';
import { blobIds, LS_TREE_FROM, openRepository, readBlobs } from '../src/shell/git.js';
import { at, createFixture, git } from './helpers/fixture.js';

// openRepository asks git for the paths and HEAD's commit in one process, and falls back to the paths alone
// when HEAD names no commit: each case below is one way that single call can fail or succeed. readBlobs keeps
// one `git cat-file --batch` per repository for a while: answers in order, per request, of objects written
// after it started, of a repository made anew at the same path, and it never keeps a process alive.

describe('openRepository', () => {
  it('a clone with commits, opened from a subdirectory through a symbolic link: the top, its git directories, branch and HEAD', async () => {
    const fx = createFixture({ a: { dev: 'v1' } }, { date: at(0) });
    try {
      const repo = fx.clone('local');
      const link = join(fx.dir, 'link');
      symlinkSync(repo, link);
      const r = await openRepository(join(link, 'environments', 'dev'));
      expect(r).toEqual({
        root: realpathSync(repo),
        gitDir: join(realpathSync(repo), '.git'),
        commonDir: join(realpathSync(repo), '.git'),
        branch: 'main',
        head: git(repo, ['rev-parse', 'HEAD']),
      });
    } finally {
      fx.cleanup();
    }
  });

  it('a repository without commits: the paths, with HEAD null', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'gitops-sync-empty-')));
    try {
      git(dir, ['init', '-q', '-b', 'main']);
      expect(await openRepository(dir)).toEqual({
        root: dir,
        gitDir: join(dir, '.git'),
        commonDir: join(dir, '.git'),
        branch: 'main',
        head: null,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a detached HEAD: branch null, HEAD the commit', async () => {
    const fx = createFixture({ a: { dev: 'v1' } });
    try {
      const repo = fx.clone('local');
      const head = git(repo, ['rev-parse', 'HEAD']);
      git(repo, ['checkout', '-q', '--detach']);
      expect(await openRepository(repo)).toMatchObject({ branch: null, head });
    } finally {
      fx.cleanup();
    }
  });

  it('a directory outside any work tree, and one that does not exist: usage errors naming --root', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'gitops-sync-plain-')));
    try {
      mkdirSync(join(dir, 'sub'));
      // GIT_CEILING_DIRECTORIES is not needed: tmpdir() is no work tree on this machine or CI's.
      await expect(openRepository(join(dir, 'sub'))).rejects.toThrow(
        new UsageError(`--root ${join(dir, 'sub')}: not inside a git work tree (expected the GitOps repository)`),
      );
      await expect(openRepository(join(dir, 'missing'))).rejects.toThrow(
        new UsageError(
          `--root ${join(dir, 'missing')}: no such directory (expected the GitOps repository's work tree)`,
        ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('readBlobs', () => {
  const commitFiles = (dir: string, files: Record<string, string | Buffer>, message: string): string => {
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(join(dir, p, '..'), { recursive: true });
      writeFileSync(join(dir, p), text);
    }
    git(dir, ['add', '-A']);
    git(dir, ['-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-q', '-m', message]);
    return git(dir, ['rev-parse', 'HEAD']);
  };
  const fresh = (): string => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'gitops-sync-blobs-')));
    git(dir, ['init', '-q', '-b', 'main']);
    return dir;
  };

  it('answers each spec in order: blobs (large ones too), null for trees and what is missing, concurrent requests apart', async () => {
    const dir = fresh();
    try {
      // Larger than a pipe's buffer: the answer arrives in several chunks.
      const big = `${'x'.repeat(99)}\n`.repeat(3000);
      const c1 = commitFiles(dir, { 'a.yaml': 'a: 1\n', 'sub/big.txt': big, 'empty.txt': '' }, 'one');
      const c2 = commitFiles(dir, { 'a.yaml': 'a: 2\n' }, 'two');
      const [first, second, third] = await Promise.all([
        readBlobs(dir, [`${c1}:a.yaml`, `${c1}:sub/big.txt`, `${c1}:sub`, `${c1}:missing.yaml`, `${c1}:empty.txt`]),
        readBlobs(dir, [`${c2}:a.yaml`, 'f'.repeat(40)]),
        readBlobs(dir, [`${c2}:a.yaml\n`]),
      ]);
      expect([...first!]).toEqual([
        [`${c1}:a.yaml`, 'a: 1\n'],
        [`${c1}:sub/big.txt`, big],
        [`${c1}:sub`, null],
        [`${c1}:missing.yaml`, null],
        [`${c1}:empty.txt`, ''],
      ]);
      expect([...second!]).toEqual([
        [`${c2}:a.yaml`, 'a: 2\n'],
        ['f'.repeat(40), null],
      ]);
      // A newline cannot be part of a spec (it would end the request): it is dropped, as before.
      expect([...third!]).toEqual([[`${c2}:a.yaml\n`, 'a: 2\n']]);
      expect(await readBlobs(dir, [])).toEqual(new Map());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds what other git processes wrote after its first answer, and reads a repository made anew at the same path', async () => {
    const dir = fresh();
    try {
      const c1 = commitFiles(dir, { 'a.yaml': 'a: 1\n' }, 'one');
      expect(await readBlobs(dir, [`${c1}:a.yaml`])).toEqual(new Map([[`${c1}:a.yaml`, 'a: 1\n']]));
      const c2 = commitFiles(dir, { 'a.yaml': 'a: 2\n' }, 'two');
      git(dir, ['repack', '-adq']); // and from a pack that did not exist when cat-file started
      const c3 = commitFiles(dir, { 'a.yaml': 'a: 3\n' }, 'three');
      expect(await readBlobs(dir, [`${c2}:a.yaml`, `${c3}:a.yaml`])).toEqual(
        new Map([
          [`${c2}:a.yaml`, 'a: 2\n'],
          [`${c3}:a.yaml`, 'a: 3\n'],
        ]),
      );
      rmSync(join(dir, '.git'), { recursive: true });
      git(dir, ['init', '-q', '-b', 'main']);
      const d1 = commitFiles(dir, { 'a.yaml': 'a: new\n' }, 'anew');
      expect(await readBlobs(dir, [`${d1}:a.yaml`, `${c3}:a.yaml`])).toEqual(
        new Map([
          [`${d1}:a.yaml`, 'a: new\n'],
          [`${c3}:a.yaml`, null],
        ]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('many paths of one commit: resolved by one ls-tree, with the answers git gives spec by spec', async () => {
    const dir = fresh();
    try {
      const files: Record<string, string> = { 'top.yaml': 'top\n', 'odd name\twith tab ü.yaml': 'odd\n' };
      for (let i = 0; i < LS_TREE_FROM; i++) files[`environments/e${i % 3}/values/s${i}.yaml`] = `tag: v${i}\n`;
      mkdirSync(join(dir, 'environments'));
      symlinkSync('top.yaml', join(dir, 'environments', 'link.yaml'));
      const c1 = commitFiles(dir, files, 'many');
      const c2 = commitFiles(dir, { 'environments/e0/values/s0.yaml': 'tag: changed\n' }, 'more');
      const paths = [
        ...Object.keys(files),
        'environments/link.yaml', // a symbolic link: its blob is the link's text
        'environments/e1', // a folder
        'environments/e1/values/none.yaml', // missing
        'missing/deeper/x.yaml',
      ];
      const specs = [...paths.map((p) => `${c1}:${p}`), `${c2}:environments/e0/values/s0.yaml`];
      // The oracle: git resolving each path itself, one spec per request (below the ls-tree threshold).
      const oneByOne = new Map<string, string | null>();
      for (const spec of specs) oneByOne.set(spec, (await readBlobs(dir, [spec])).get(spec)!);
      expect(oneByOne.get(`${c1}:environments/link.yaml`)).toBe('top.yaml');
      expect(oneByOne.get(`${c1}:environments/e1`)).toBeNull();
      const ids = await blobIds(dir, specs);
      expect(ids.size, `the ${paths.length} paths of the first commit resolved by ls-tree, the second's one not`).toBe(
        paths.length,
      );
      expect(ids.get(`${c1}:environments/e1`)).toBeNull();
      expect([...(await readBlobs(dir, specs))]).toEqual([...oneByOne]);
      // The same specs twice in one request (a spec asked twice used to leave the request waiting forever).
      const twice = await readBlobs(dir, [...specs, ...specs.slice(0, 3)]);
      expect([...twice]).toEqual([...oneByOne]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps this process alive while it answers, and not after', async () => {
    const dir = fresh();
    try {
      const c1 = commitFiles(dir, { 'a.yaml': 'a: 1\n' }, 'one');
      // What keeps the event loop alive, by kind: a held cat-file shows as a process and its pipes. Other
      // resources of this worker (vitest's own) may come and go meanwhile, so counts are compared, not lists.
      const held = () => {
        const n = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length;
        return { process: n('ProcessWrap'), pipes: n('PipeWrap') };
      };
      const before = held();
      const pending = readBlobs(dir, [`${c1}:a.yaml`]);
      await new Promise((r) => setImmediate(r)); // the request is queued behind a resolved promise
      const during = held();
      expect(during.process).toBe(before.process + 1);
      expect(during.pipes).toBeGreaterThanOrEqual(before.pipes + 2);
      expect((await pending).get(`${c1}:a.yaml`)).toBe('a: 1\n');
      const after = held();
      expect(after.process).toBeLessThanOrEqual(before.process);
      expect(after.pipes).toBeLessThanOrEqual(before.pipes);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
