import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseValidatorConfig } from '../src/config/validator-config.js';
import { parseHelmError, SELF_REFERENCE_HINT } from '../src/render/helm-errors.js';
import { UsageError } from '../src/errors.js';
import { FIXTURE_REPO, REPO_ROOT, runChartInProcess, runCli, runRepoInProcess, tempRepo } from './helpers.js';

// A chart can keep helm busy for ever: a tpl whose value calls tpl on itself (helm limits nested includes
// of one template to 1,000, not tpl). Every render has a bounded time; then helm is killed and the chart,
// the environment and the likely cause are reported. The charts below never finish on any machine, so a
// short timeout makes these tests independent of speed: half a second (a value validator.yaml and
// --render-timeout accept), since every second of it is a second of CPU that helm or a render thread burns.

const HELM_FIXTURES = join(REPO_ROOT, 'packages', 'toolchain', 'test', 'fixtures');
// One template that needs no values: the tpl renders `.t`, which is the tpl again, with the same data.
const TPL_LOOP_TEMPLATE = '{{- $loop := dict "t" "{{ tpl .t . }}" }}\nloop: {{ tpl $loop.t $loop }}\n';
// The native renderer stops a self-including tpl at once (native-renderer.test.ts); what keeps it busy is a
// loop: three nested ranges of 100,000, 10^15 iterations (helm never finishes it either).
const ENDLESS_RANGE_TEMPLATE =
  '{{- range until 100000 }}{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}{{ end }}\nx: 1\n';

describe('a render that never finishes', { timeout: 120_000 }, () => {
  it('validator chart: stopped after --render-timeout, reported with the likely cause, exit 1', () => {
    const r = runCli(['chart', join(HELM_FIXTURES, 'tpl-loop'), '--renderer', 'helm', '--render-timeout', '0.5']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(
      /tpl-loop\/Chart\.yaml:1:1 .*helm did not finish in 0\.5 s rendering \S*tpl-loop and was stopped: a template that includes or tpl's itself\?/,
    );
    expect(r.stdout).toContain('raise --render-timeout or renderTimeout in validator.yaml');
  });

  // In process from here (the CLI's command functions): the case above is the end-to-end run.
  it('validator chart --renderer native: a range without end stopped after --render-timeout, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'range-loop-'));
    try {
      const chart = join(dir, 'range-loop');
      mkdirSync(join(chart, 'templates'), { recursive: true });
      writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: range-loop\nversion: 0.1.0\n');
      writeFileSync(join(chart, 'templates/cm.yaml'), ENDLESS_RANGE_TEMPLATE);
      const r = await runChartInProcess(chart, { renderer: 'native', renderTimeout: '0.5' });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(
        /range-loop\/Chart\.yaml:1:1 .*the native renderer did not finish in 0\.5 s rendering \S*range-loop and was stopped: a range over a huge list/,
      );
      expect(r.stdout).toContain('raise --render-timeout or renderTimeout in validator.yaml');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('validator (repository): the timeout of validator.yaml, the chart and the environment named', async () => {
    const repo = tempRepo(FIXTURE_REPO);
    try {
      writeFileSync(join(repo.dir, 'charts/demo/templates/loop.yaml'), TPL_LOOP_TEMPLATE);
      writeFileSync(join(repo.dir, 'validator.yaml'), 'renderTimeout: 0.5\n');
      const r = await runRepoInProcess(repo.dir, { env: ['dev'] });
      expect(r.code, r.stderr).toBe(1);
      const timeouts = (JSON.parse(r.stdout).findings as Array<Record<string, unknown>>).filter((f) =>
        String(f.message).startsWith('helm did not finish'),
      );
      expect(timeouts).toEqual([
        expect.objectContaining({
          check: 'chart-render',
          severity: 'error',
          file: 'charts/demo/Chart.yaml',
          env: 'dev',
          service: 'demo',
          message: expect.stringMatching(
            /^helm did not finish in 0\.5 s rendering charts\/demo for environment dev and was stopped: a template that includes or tpl's itself\?/,
          ),
        }),
      ]);
    } finally {
      repo.cleanup();
    }
  });

  it('validator (repository), native renderer: the timeout of validator.yaml, the chart and each environment named', async () => {
    const repo = tempRepo(FIXTURE_REPO);
    try {
      writeFileSync(join(repo.dir, 'charts/demo/templates/loop.yaml'), ENDLESS_RANGE_TEMPLATE);
      writeFileSync(join(repo.dir, 'validator.yaml'), 'renderTimeout: 0.5\n');
      const r = await runRepoInProcess(repo.dir, { renderer: 'native' });
      expect(r.code, r.stderr).toBe(1);
      const findings = JSON.parse(r.stdout).findings as Array<Record<string, unknown>>;
      const timeouts = findings.filter((f) => String(f.message).startsWith('the native renderer did not finish'));
      expect(timeouts.map((f) => f.env).sort()).toEqual(['dev', 'prod']);
      for (const f of timeouts)
        expect(f).toEqual(
          expect.objectContaining({
            check: 'chart-render',
            severity: 'error',
            file: 'charts/demo/Chart.yaml',
            service: 'demo',
            message: expect.stringMatching(
              new RegExp(
                `^the native renderer did not finish in 0\\.5 s rendering charts/demo for environment ${f.env} and was stopped: a range over a huge list`,
              ),
            ),
          }),
        );
      // Nothing else is an error: the stopped threads were replaced for the renders after them.
      expect(findings.filter((f) => f.severity === 'error')).toEqual(timeouts);
    } finally {
      repo.cleanup();
    }
  });

  it('a template that includes itself: helm stops it; one short finding at the include', async () => {
    const r = await runChartInProcess(join(HELM_FIXTURES, 'include-loop'), { output: 'json' });
    expect(r.code, r.stderr).toBe(1);
    const findings = JSON.parse(r.stdout).findings as Array<Record<string, unknown>>;
    expect(findings).toEqual([
      expect.objectContaining({
        check: 'chart-render',
        file: expect.stringMatching(/include-loop\/templates\/configmap\.yaml$/),
        line: 1,
        column: 36, // helm's column for the include
        message:
          'template failed: "include-loop.self" includes itself without end (helm stops after 1,000 nested includes of one template): expected a recursion that stops, e.g. on a value that shrinks at each level',
      }),
    ]);
  });

  const REFUSAL = /^--render-timeout: expected a number of seconds greater than 0 and at most 3600/;
  it('--render-timeout abc is refused: exit 2, the reason on standard error (the real CLI)', () => {
    const r = runCli(['chart', join(HELM_FIXTURES, 'tpl-loop'), '--render-timeout', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^validator: ${REFUSAL.source.slice(1)}`));
  });

  it.each([['abc'], ['0'], ['-1'], ['3601'], ['1e3']])('--render-timeout %s is refused (bad input)', async (value) => {
    const run = runChartInProcess(join(HELM_FIXTURES, 'tpl-loop'), { renderTimeout: value });
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(REFUSAL);
  });
});

describe('validator.yaml renderTimeout', () => {
  it.each([
    ['renderTimeout: 90\n', { renderTimeout: 90 }, []],
    ['renderTimeout: 0.5\n', { renderTimeout: 0.5 }, []],
    [
      'renderTimeout: "60"\n',
      {},
      [
        'validator.yaml:1:1: renderTimeout: expected a number of seconds greater than 0 and at most 3600, such as 60; got "60"',
      ],
    ],
    [
      'checks: {}\nrenderTimeout: 0\n',
      {},
      [
        'validator.yaml:2:1: renderTimeout: expected a number of seconds greater than 0 and at most 3600, such as 60; got 0',
      ],
    ],
  ])('%j', (text, config, problems) => {
    const r = parseValidatorConfig(text);
    expect(r.problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`)).toEqual(problems);
    if (!problems.length) expect(r.config).toEqual({ checks: {}, ...config });
  });
});

describe('parseHelmError: recursion and oversized messages', () => {
  it('a Go stack overflow (a tpl without end that outran the timeout) names the likely cause, not the dump', () => {
    const dump = `runtime: goroutine stack exceeds 1000000000-byte limit\nruntime: sp=0xc0200e03a8 stack=[0xc0200e0000, 0xc0400e0000]\nfatal error: stack overflow\n\nruntime stack:\n${'runtime.throw({0x2, 0x3})\n\truntime/panic.go:1101 +0x48\n'.repeat(5000)}`;
    expect(parseHelmError(dump)).toEqual({
      kind: 'template-execute',
      message: `helm crashed with a Go stack overflow while rendering: ${SELF_REFERENCE_HINT}`,
    });
  });
  it('an unknown message longer than 2,000 characters is cut, saying how long it was', () => {
    const e = parseHelmError(`Error: ${'x'.repeat(5000)}`);
    expect(e.message).toBe(`${'x'.repeat(2000)}… (5000 characters)`);
  });
});
