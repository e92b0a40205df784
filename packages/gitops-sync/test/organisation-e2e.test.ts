import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runHelm, runValidatorCli as validate } from '@cmsweb/toolchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { generate } from '../../chartgen/src/index.js';
import { bump, promote } from '../src/commands/change.js';
import { statusPage } from '../src/commands/status-page.js';
import { FAKE_VALIDATOR } from './helpers/fixture.js';

// Issue 10, "organisation-neutral": another organisation's catalog (packages/chartgen/test/fixtures/shop: a web
// shop, three services, four environments, no frontend, no logging, its own name, annotation domain and
// registry) goes the whole way. chartgen generates the repository (in process), nothing under charts/ and
// environments/ names CMSWEB, nor does any object the real helm renders for each service × environment; the
// real validator finds no error; gitops-sync (in process) bumps a tag in the first environment, the real
// validator as its gate, and promotes it through the other three, pushing to a bare remote with real git. The
// promotions' gates run the stand-in validator (the tag the real one passed in dev, on environments it has just
// validated whole): what they prove is gitops-sync's flow through four environments of another name, and each
// real validator process costs some 7 CPU s, compiling the Kubernetes schemas.

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(HERE, '../../..');
const SHOP = join(REPO_ROOT, 'packages/chartgen/test/fixtures/shop/catalog');
const ENVS = ['dev', 'qa', 'staging', 'prod'];
const SERVICES: Record<string, string> = { storefront: 'shop', checkout: 'payments', 'stock-sync': 'shop' };
const CMSWEB = /cmsweb/i;

const git = (cwd: string, args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

describe('another organisation (acme-shop: no frontend, no logging, four environments) end to end', {
  timeout: 900_000,
}, () => {
  let dir: string;
  let root: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gitops-sync-organisation-'));
    root = join(dir, 'work');
    cpSync(SHOP, join(root, 'catalog'), { recursive: true });
    const r = await generate({ root, check: false });
    expect(r.status, JSON.stringify(r)).toBe('ok');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('generates charts and environments named after the organisation, with no CMSWEB name and no frontend', () => {
    const files = [...filesUnder(join(root, 'charts')), ...filesUnder(join(root, 'environments'))];
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((f) => CMSWEB.test(readFileSync(f, 'utf8')) || CMSWEB.test(f))).toEqual([]);
    const text = (p: string) => readFileSync(join(root, p), 'utf8');
    expect(text('charts/_library/Chart.yaml')).toMatch(/^name: acme-shop-library$/m);
    expect(text('charts/_library/Chart.yaml')).toMatch(/^ {2}shop\.example\.com\/generated-by: chartgen$/m);
    expect(text('charts/checkout/Chart.yaml')).toMatch(/^ {2}shop\.example\.com\/namespace: payments$/m);
    expect(text('charts/checkout/templates/resources.yaml')).toContain(
      '{{- include "acme-shop-library.deployment" . }}\n',
    );
    expect(text('environments/prod/argocd/project.yaml')).toMatch(/^ {2}name: acme-shop-prod$/m);
    expect(text('environments/qa/flux/gitrepository.yaml')).toMatch(/^ {2}name: acme-shop$/m);
    // No frontend: no routing rules, no frontend peers in any chart's values.
    for (const env of ENVS) {
      expect(readdirSync(join(root, 'environments', env, 'cluster')).sort()).toEqual([
        'namespaces.yaml',
        'prometheus-adapter.yaml',
      ]);
    }
    for (const s of Object.keys(SERVICES)) expect(text(`charts/${s}/values.yaml`)).toMatch(/^ {2}frontend: \[\]$/m);
  });

  it('renders every service × environment with the real helm: no CMSWEB name, policies admit only what is declared', async () => {
    // helm resolves the library as Argo CD's repo server does (helm dependency build), in a copy.
    const render = join(dir, 'render');
    cpSync(join(root, 'charts'), join(render, 'charts'), { recursive: true });
    const policies = new Map<string, unknown[]>();
    for (const [service, namespace] of Object.entries(SERVICES)) {
      const chart = join(render, 'charts', service);
      const dep = await runHelm(['dependency', 'build', chart]);
      expect(dep.code, dep.stderr).toBe(0);
      for (const env of ENVS) {
        const r = await runHelm([
          'template',
          service,
          chart,
          '--namespace',
          namespace,
          '-f',
          join(root, 'charts', service, `values-${env}.yaml`),
          '-f',
          join(root, 'environments', env, 'values', `${service}.yaml`),
        ]);
        expect(r.code, `${service} in ${env}: ${r.stderr}`).toBe(0);
        const objects = parseAllDocuments(r.stdout)
          .map((d) => d.toJS() as Record<string, any>)
          .filter((o) => o && typeof o === 'object');
        expect(objects.length, `${service} in ${env}`).toBeGreaterThan(0);
        const named = objects.filter((o) => CMSWEB.test(JSON.stringify(o)));
        expect(named.map((o) => `${service} ${env}: ${o.kind} ${o.metadata?.name}`)).toEqual([]);
        for (const o of objects)
          expect(o.metadata?.labels?.['app.kubernetes.io/part-of'], `${o.kind} ${o.metadata?.name}`).toBe('acme-shop');
        const np = objects.find((o) => o.kind === 'NetworkPolicy');
        if (np) policies.set(`${service}/${env}`, np.spec.ingress);
        if (service === 'storefront') {
          const ingress = objects.find((o) => o.kind === 'Ingress');
          expect(ingress?.spec.ingressClassName).toBe('nginx');
        }
      }
    }
    const peer = (ns: string, labels: Record<string, string>) => ({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
      podSelector: { matchLabels: labels },
    });
    for (const env of ENVS) {
      // Checkout admits the storefront's pods only (declared allowFrom), no frontend.
      expect(policies.get(`checkout/${env}`)).toEqual([
        {
          from: [peer('shop', { 'app.kubernetes.io/instance': 'storefront', 'app.kubernetes.io/name': 'storefront' })],
          ports: [{ protocol: 'TCP', port: 8443 }],
        },
      ]);
      // The storefront admits the ingress controller on its port and Prometheus on its metrics port.
      expect(policies.get(`storefront/${env}`)).toEqual([
        {
          from: [peer('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' })],
          ports: [{ protocol: 'TCP', port: 8080 }],
        },
        {
          from: [peer('observability', { 'app.kubernetes.io/name': 'prometheus' })],
          ports: [{ protocol: 'TCP', port: 9090 }],
        },
      ]);
      // A job without ports and without scraping admits nothing.
      expect(policies.get(`stock-sync/${env}`)).toEqual([]);
    }
  });

  it('the validator finds no error in any of the four environments', async () => {
    const r = await validate(root, ENVS);
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('gitops-sync bumps a tag in dev and promotes it through qa, staging and prod (real git, bare remote)', async () => {
    const remote = join(dir, 'remote.git');
    git(dir, ['init', '-q', '--bare', '-b', 'main', remote]);
    git(root, ['init', '-q', '-b', 'main']);
    git(root, ['config', 'user.name', 'Release Manager']);
    git(root, ['config', 'user.email', 'rm@shop.example.com']);
    git(root, ['add', '-A']);
    git(root, ['commit', '-q', '-m', 'initial layout']);
    git(root, ['remote', 'add', 'origin', remote]);
    git(root, ['push', '-q', '-u', 'origin', 'main']);
    const env: NodeJS.ProcessEnv = { ...process.env, GITOPS_SYNC_NOW: '2026-12-01T09:00:00Z', NO_COLOR: '1' };
    delete env.GITOPS_SYNC_VALIDATOR; // the real validator installed with gitops-sync is the bump's gate

    const bumped = await bump({ root, push: true, service: 'storefront', env: 'dev', tag: 'v1.1.0' }, env);
    expect(bumped.outcome.status, JSON.stringify(bumped.outcome)).toBe('pushed');
    expect(bumped.outcome.plan.gates.find((g) => g.gate === 'validation')).toMatchObject({
      status: 'pass',
      message: 'validator: storefront in dev is valid',
    });
    env.GITOPS_SYNC_VALIDATOR = FAKE_VALIDATOR;
    for (const [from, to] of [
      ['dev', 'qa'],
      ['qa', 'staging'],
      ['staging', 'prod'],
    ] as const) {
      const r = await promote({ root, push: true, service: 'storefront', from, to }, env);
      expect(r.outcome.status, `${from} → ${to}: ${JSON.stringify(r.outcome)}`).toBe('pushed');
      expect(git(remote, ['rev-parse', 'main'])).toBe(r.outcome.commit);
    }
    for (const e of ENVS) {
      const overlay = git(remote, ['show', `main:environments/${e}/values/storefront.yaml`]);
      expect(overlay, e).toMatch(/^ {2}tag: "?v1\.1\.0"?\b/m);
    }
    // The other services stayed where they were.
    expect(git(remote, ['show', 'main:environments/prod/values/checkout.yaml'])).toMatch(/^ {2}tag: "?v1\.0\.0"?\b/m);
    expect(git(remote, ['log', '--format=%s', 'main']).split('\n')).toEqual([
      'promote(prod): storefront v1.1.0 from staging',
      'promote(staging): storefront v1.1.0 from qa',
      'promote(qa): storefront v1.1.0 from dev',
      'bump(dev): storefront v1.1.0',
      'initial layout',
    ]);
    expect(existsSync(join(root, 'environments/prod/values/storefront.yaml'))).toBe(true);

    // The status page names the organisation as cluster.yaml does, and never CMSWEB.
    const html = await statusPage({ root }, env);
    expect(html).toContain('<title>ACME Shop environments</title>');
    expect(html).not.toMatch(CMSWEB);
  });
});
