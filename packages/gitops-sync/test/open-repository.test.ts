import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '@cmsweb/toolkit';
import { openRepository } from '../src/shell/git.js';
import { at, createFixture, git } from './helpers/fixture.js';

// openRepository asks git for the paths and HEAD's commit in one process, and falls back to the paths alone
// when HEAD names no commit: each case below is one way that single call can fail or succeed.

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
