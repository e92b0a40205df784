import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frontendRoutes, serviceHost, type Catalog, type FrontendRoute } from '@cmsweb/catalog';
import { buildFrontendRules, formatFrontendRule } from '../src/index.js';
import { loadCatalogFrom, repoRoot } from './helpers.js';

// Proof against reality: the real frontend rules of CMSWEB (dmwm/deployment frontend/backends-k8s-*.txt in
// ../shared/corpus) against the ones chartgen generates from the bundled catalog, environment by
// environment (the real `test` file is our `dev`, the testbed). For every URL prefix of a real rule, we find
// where the REAL frontend sends it (cmshosts.pm: first regex matching the unparsed URI wins) and where OURS
// does. When the service behind it is in the catalog, ours must reach that service's backend:
//   - a VM host (vocms…): the same hosts;
//   - a Kubernetes Service <svc>.<ns>.svc.cluster.local: that Service;
//   - cmsweb-srv.cern.ch (the CMSWEB cluster's own host in the test and prod files): the catalog service that
//     claims the prefix, at its Service.
// The rest is listed with the reason.

const CORPUS = join(repoRoot, '..', 'shared', 'corpus', 'cmsweb-frontend');
const haveCorpus = existsSync(CORPUS);
const ENVS: Array<[real: string, ours: string]> = [
  ['test', 'dev'],
  ['preprod', 'preprod'],
  ['prod', 'prod'],
];
const PREFIX = '/auth/complete';
const CLUSTER_HOST = 'cmsweb-srv.cern.ch';

interface Rule {
  line: number;
  regex: RegExp;
  source: string;
  hosts: string[];
}

function parseRules(text: string): Rule[] {
  return text
    .split('\n')
    .map((l, i) => ({ l: l.trim(), i }))
    .filter(({ l }) => l && !l.startsWith('#'))
    .map(({ l, i }) => {
      const [source, hosts] = l.split(/\s+/);
      return { line: i + 1, regex: new RegExp(source!), source: source!, hosts: hosts!.split('|') };
    });
}

const first = (rules: Rule[], url: string) => rules.find((r) => r.regex.test(url));

/** The URLs a real rule is written for: its prefix alternatives, and its query condition. */
function urlsOf(source: string): Array<{ prefix: string; url: string }> {
  const body = source.replace(/^\^\/auth\/complete/, '').replace(/\(\?:\/\|\$\)$/, '');
  const m = /^(\/[^(]*?)(?:\(\?:([^)]*)\))?$/.exec(body);
  if (!m) return [];
  const head = m[1]!.replace(/\/$/, '');
  return (m[2] === undefined ? [''] : m[2].split('|')).map((alt) => {
    const q = /^\.\*(\w+=\w+)$/.exec(alt);
    if (q) return { prefix: `${head}?${q[1]}`, url: `${PREFIX}${head}/probe?${q[1]}` };
    const prefix = alt ? `${head}/${alt}` : head;
    return { prefix, url: `${PREFIX}${prefix}/probe` };
  });
}

/** The catalog service that claims `url`, the way the generated rules are ordered (longest prefix, query first). */
function claimant(routes: FrontendRoute[], url: string): FrontendRoute | undefined {
  const [path, query = ''] = url.slice(PREFIX.length).split('?');
  const params = new Set(query.split('&'));
  return routes.find(
    (r) =>
      (path === r.prefix || path!.startsWith(`${r.prefix}/`)) &&
      Object.entries(r.query).every(([k, v]) => params.has(`${k}=${v}`)),
  );
}

describe.skipIf(!haveCorpus)(
  `the generated frontend rules against the real CMSWEB ones${haveCorpus ? '' : ' (SKIPPED: ../shared/corpus absent)'}`,
  () => {
    const catalog: Catalog = haveCorpus ? loadCatalogFrom(repoRoot) : ({} as Catalog);

    for (const [realEnv, env] of ENVS) {
      it(`backends-k8s-${realEnv}.txt vs our ${env}: every prefix of a catalog service reaches its backend`, () => {
        const real = parseRules(readFileSync(join(CORPUS, `backends-k8s-${realEnv}.txt`), 'utf8'));
        const ours = parseRules(
          buildFrontendRules(catalog.cluster, catalog.services, env).map(formatFrontendRule).join('\n'),
        );
        const routes = frontendRoutes(catalog.services, env);
        const checked: string[] = [];
        const wrong: string[] = [];
        const rest = new Map<string, string[]>();
        const skip = (reason: string, prefix: string) => rest.set(reason, [...(rest.get(reason) ?? []), prefix]);
        const reasons = () => Object.fromEntries([...rest].map(([reason, prefixes]) => [reason, prefixes.join(' ')]));

        for (const rule of real) {
          if (rule.source === '^') continue; // the catch-all, compared below
          for (const { prefix, url } of urlsOf(rule.source)) {
            const realHit = first(real, url)!;
            const oursHit = first(ours, url);
            const owner = claimant(routes, url);
            const k8s = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(realHit.hosts[0]!);
            let expected: string[] | undefined;
            if (k8s) {
              const s = catalog.services.find((x) => x.name === k8s[1] && x.namespace === k8s[2] && !x.vm);
              if (!s) {
                skip(`real backend is the Kubernetes service ${k8s[1]}.${k8s[2]}, not in the catalog`, prefix);
                continue;
              }
              expected = [serviceHost(s)];
            } else if (!owner) {
              skip('no catalog service claims it (prefix → real backend)', `${prefix}→${realHit.hosts.join('|')}`);
              continue;
            } else if (realHit.hosts.includes(CLUSTER_HOST)) {
              const s = catalog.services.find((x) => x.name === owner.service)!;
              if (s.vm) {
                skip(`the real file sends it to the cluster, the catalog to VM service ${s.name}`, prefix);
                continue;
              }
              expected = [serviceHost(s)];
            } else {
              expected = realHit.hosts;
            }
            checked.push(prefix);
            if (!oursHit || [...oursHit.hosts].sort().join('|') !== [...expected].sort().join('|')) {
              wrong.push(
                `${url}: real line ${realHit.line} → ${realHit.hosts.join('|')}, expected ${expected.join('|')}, ours ${oursHit ? `line ${oursHit.line} ${oursHit.source} → ${oursHit.hosts.join('|')}` : 'no rule'}`,
              );
            }
          }
        }
        expect(wrong).toEqual([]);
        expect(checked.length).toBeGreaterThan(20);
        // The catch-all: a URL no rule claims goes where the real file sends it.
        const unclaimed = `${PREFIX}/no-such-service/probe`;
        expect(first(ours, unclaimed)?.hosts ?? []).toEqual(first(real, unclaimed)?.hosts ?? []);
        expect({ checked: checked.length, rest: reasons() }).toMatchSnapshot();
      });
    }
  },
);
