import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RENDERER } from '../src/render/default-renderer.js';
import { UsageError } from '../src/errors.js';
import { type CliRun, FIXTURE_REPO, runCli, runManifestsInProcess, runRepoInProcess, tempRepo } from './helpers.js';

// Files of a merge request are untrusted: the validator reads every one through the safe reader of
// @cmsweb/yaml. A symlink out of the repository, a dangling or looping one, a FIFO: a finding (or exit 2
// for the configuration), never a hang, an internal error or the content of the file pointed at.

const SECRET = 'TOP-SECRET-CONTENT';

function withRepo(
  setup: (dir: string, outside: string) => void,
  run: (dir: string) => CliRun | Promise<CliRun> = (d) => runCli(['--root', d, '--env', 'dev']),
): Promise<CliRun> {
  const repo = tempRepo(FIXTURE_REPO);
  const outside = `${repo.dir}-outside.yaml`;
  writeFileSync(outside, `password: ${SECRET}\nkind: ${SECRET}\n`);
  const cleanup = () => {
    repo.cleanup();
    rmSync(outside, { force: true });
  };
  try {
    setup(repo.dir, outside);
    return Promise.resolve(run(repo.dir)).finally(cleanup);
  } catch (e) {
    cleanup();
    throw e;
  }
}

describe('hostile files in the repository', { timeout: 120_000 }, () => {
  it.each([
    [
      'an overlay symlinked to a file outside',
      (d: string, o: string) => (
        rmSync(join(d, 'environments/dev/values/demo.yaml')),
        symlinkSync(o, join(d, 'environments/dev/values/demo.yaml'))
      ),
      /environments\/dev\/values\/demo\.yaml:1:1 .*symlink leading outside the repository root/,
    ],
    [
      'a chart template symlinked to a file outside',
      (d: string, o: string) => symlinkSync(o, join(d, 'charts/demo/templates/leak.yaml')),
      /charts\/demo\/templates\/leak\.yaml:1:1 .*symlink leading outside the repository root/,
    ],
    [
      'a chart file symlinked outside (read by .Files.Get)',
      (d: string, o: string) => symlinkSync(o, join(d, 'charts/demo/data.txt')),
      /charts\/demo\/data\.txt:1:1 .*symlink leading outside/,
    ],
    [
      'environment.yaml as a dangling symlink',
      (d: string) => (
        rmSync(join(d, 'environments/dev/environment.yaml')),
        symlinkSync('nowhere.yaml', join(d, 'environments/dev/environment.yaml'))
      ),
      /environments\/dev\/environment\.yaml:1:1 .*dangling symlink/,
    ],
    [
      'a generated file as a symlink loop',
      (d: string) => (
        rmSync(join(d, 'environments/dev/argocd/root.yaml'), { force: true }),
        symlinkSync('root.yaml', join(d, 'environments/dev/argocd/root.yaml'))
      ),
      /environments\/dev\/argocd\/root\.yaml:1:1 .*symlink loop/,
    ],
    [
      'an overlay that is a FIFO',
      (d: string) => (
        rmSync(join(d, 'environments/dev/values/demo.yaml')),
        execFileSync('mkfifo', [join(d, 'environments/dev/values/demo.yaml')])
      ),
      /environments\/dev\/values\/demo\.yaml:1:1 .*FIFO/,
    ],
  ])('%s: a file-refused finding (exit 1), content never shown', async (_name, setup, message) => {
    // The repository command in process (text output, as the CLI prints it); the cases below run the real CLI.
    const r = await withRepo(setup, (d) => runRepoInProcess(d, { env: ['dev'], output: 'text' }));
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(message);
    expect(r.stdout).toContain('file-refused');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  // The FIFO (the case that could hang) through the real CLI; the others in process, where the same refusal
  // is the UsageError the CLI prints as `validator: MESSAGE` with exit 2 (as the FIFO's run shows).
  it('validator.yaml as a FIFO: exit 2 naming it, no hang (the real CLI)', async () => {
    const r = await withRepo((d) => execFileSync('mkfifo', [join(d, 'validator.yaml')]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^validator: validator\.yaml:1:1: refused: is a FIFO/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it.each([
    [
      'a symlink to a file outside',
      (d: string, o: string) => symlinkSync(o, join(d, 'validator.yaml')),
      /^validator\.yaml:1:1: refused: is a symlink leading outside/,
    ],
    [
      'a directory',
      (d: string) => mkdirSync(join(d, 'validator.yaml')),
      /^validator\.yaml:1:1: refused: is a directory where a file belongs/,
    ],
  ])('validator.yaml as %s: bad input (exit 2) naming it', async (_name, setup, message) => {
    const error = await withRepo(setup, (d) => runRepoInProcess(d, { env: ['dev'], renderer: DEFAULT_RENDERER })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(SECRET);
  });

  it('validator manifests refuses a FIFO and a device on the command line (exit 2), never opening them', async () => {
    const repo = tempRepo(FIXTURE_REPO);
    try {
      execFileSync('mkfifo', [join(repo.dir, 'pipe.yaml')]);
      const fifo = runCli(['manifests', join(repo.dir, 'pipe.yaml')]);
      expect(fifo.code).toBe(2);
      expect(fifo.stderr).toMatch(/pipe\.yaml: is a FIFO/);
      // The device in process: the same refusal (UsageError, which the CLI prints with exit 2, as above).
      const dev = runManifestsInProcess(['/dev/zero'], { root: repo.dir }); // the temp copy: a small catalog
      await expect(dev).rejects.toThrow(UsageError);
      await expect(dev).rejects.toThrow(/^\/dev\/zero: is a device/);
    } finally {
      repo.cleanup();
    }
  });
});
