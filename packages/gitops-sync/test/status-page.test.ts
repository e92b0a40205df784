import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { statusHtml } from '../src/format-html.js';
import { at, cliAsync, createFixture, type Fixture } from './helpers/fixture.js';
import { startServer, writeClients } from './helpers/webhook.js';

// The status page: `status --html FILE` and GET / of the server, rendered by a real headless browser (Debian's
// chromium, installed by .ci/run where missing): its DOM is asserted and a screenshot taken.

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const browserIt = CHROMIUM ? it : it.skip;
if (!CHROMIUM)
  console.warn('status-page: no chromium at /usr/bin/chromium: the browser tests are skipped (.ci/run installs it)');

function chromium(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      CHROMIUM!,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-dev-shm-usage',
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

let fx: Fixture;
let repo: string;

beforeAll(() => {
  fx = createFixture({ a: { dev: 'v2', preprod: 'v1' }, b: { dev: 'v1', preprod: 'v1' }, c: { dev: 'v7' } });
  fx.commit(
    {
      'catalog/cluster.yaml':
        'name: cmsweb\nenvironments:\n  - name: dev\n  - name: preprod\n  - name: prod\nnamespaces:\n  - { name: dbs, team: dbs-team }\n  - { name: das, team: das-team }\n',
      'catalog/services/a.yaml': 'name: a\nnamespace: dbs\n',
      'catalog/services/b.yaml': 'name: b\nnamespace: dbs\n',
      'catalog/services/c.yaml': 'name: c\nnamespace: das\n',
    },
    'catalog',
    at(1),
  );
  repo = fx.clone('ops');
});
afterAll(() => fx?.cleanup());

describe('the status page', () => {
  it('escapes every text and filters by namespace and team (pure)', () => {
    const report = {
      commit: 'f'.repeat(40),
      environments: ['dev'],
      possible: [],
      services: [
        {
          service: 'a',
          environments: {
            dev: {
              tag: 'v1',
              digest: null,
              hold: {
                service: 'a',
                tag: 'v1',
                rolledBackFrom: 'v2',
                since: '2026-11-01',
                by: '<script>x</script>',
                operationId: 'o',
              },
              problems: [],
              lag: null,
              promotion: null,
            },
          },
        },
        { service: 'b', environments: { dev: null } },
      ],
    };
    const ctx = {
      namespaces: new Map([
        ['a', 'dbs'],
        ['b', 'das'],
      ]),
      teams: new Map([
        ['dbs', 't1'],
        ['das', 't2'],
      ]),
      action: '',
    };
    const html = statusHtml(report, { ...ctx, filter: {} });
    expect(html).toContain('held since 2026-11-01 by &lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<script');
    expect(statusHtml(report, { ...ctx, filter: { team: 't2' } })).toMatch(/<tr data-service="b">/);
    expect(statusHtml(report, { ...ctx, filter: { team: 't2' } })).not.toMatch(/<tr data-service="a">/);
    expect(statusHtml(report, { ...ctx, filter: { namespace: 'dbs' } })).toContain('1 of 2 services shown');
    // The title is the organisation's (cluster.yaml displayName), escaped; no organisation named without one.
    const shop = statusHtml(report, { ...ctx, filter: {}, title: 'Web & Shop' });
    expect(shop).toContain('<title>Web &amp; Shop environments</title>');
    expect(shop).toContain('<h1>Web &amp; Shop environments</h1>');
    expect(html).toContain('<title>Environments</title>');
    expect(html).not.toMatch(/cmsweb/i);
  });

  browserIt('status --html FILE renders in headless chromium: the matrix in the DOM, and a screenshot', async () => {
    const file = join(fx.dir, 'status.html');
    const r = await cliAsync(repo, ['status', '--html', file], at(3));
    expect(r.stdout).toBe(`wrote ${file}\n`);
    expect(r.code).toBe(0);
    const dom = await chromium(['--dump-dom', `file://${file}`]);
    expect(dom.code).toBe(0);
    const rows = [...dom.stdout.matchAll(/<tr data-service="([a-z0-9-]+)">(.*?)<\/tr>/gs)].map((m) => [m[1], m[2]]);
    expect(rows.map((x) => x[0])).toEqual(['a', 'b', 'c']);
    const a = rows[0]![1]!;
    expect(a).toMatch(/<td data-env="dev"><span class="tag">v2<\/span><\/td>/);
    expect(a).toMatch(
      /<td class="lags" data-env="preprod"><span class="tag">v1<\/span><br><span class="lag">differs dev \(v2\)<\/span><br><span class="promotion">promotable: v2 from dev<\/span><\/td>/,
    );
    expect(rows[2]![1]).toMatch(/<td class="none">-<\/td><td class="none">-<\/td>$/);
    expect(dom.stdout).toMatch(/<option>dbs<\/option>/);
    expect(dom.stdout).toMatch(/<option>das-team<\/option>/);
    const png = join(fx.dir, 'status.png');
    const shot = await chromium([`--screenshot=${png}`, '--window-size=1000,600', `file://${file}`]);
    expect(shot.code).toBe(0);
    const bytes = readFileSync(png);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1000, 600]);
  });

  browserIt('GET / on the server, with a team filter, in headless chromium', async () => {
    const c = writeClients(fx, [{ name: 'ci' }]);
    const srv = await startServer(repo, c.file);
    try {
      const res = await fetch(`${srv.url}/?team=das-team`);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await res.text()).toContain('1 of 3 services shown');
      const dom = await chromium(['--dump-dom', `${srv.url}/?team=das-team`]);
      expect([...dom.stdout.matchAll(/<tr data-service="([a-z0-9-]+)">/g)].map((m) => m[1])).toEqual(['c']);
      expect(dom.stdout).toMatch(/<option selected="">das-team<\/option>/);
    } finally {
      await srv.stop();
    }
  });
});
