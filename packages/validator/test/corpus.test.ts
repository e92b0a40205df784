import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mapLimit } from '@cmsweb/toolkit';
import { EMPTY_CONTEXT } from '../src/checks/check.js';
import { DEFAULT_CONFIG } from '../src/config/validator-config.js';
import { validateChart } from '../src/chart/validate-chart.js';
import { helmRenderer } from '../src/render/helm-renderer.js';
import { createKubeSchemaValidator } from '../src/schema/kube-schemas-adapter.js';
import { CORPUS, runManifestsInProcess } from './helpers.js';

// The real CMSWEB deployment repository (see ../shared/corpus/README.md) with its real defects.
const HELM = join(CORPUS, 'cmskubernetes', 'helm');
const CMSWEB = join(CORPUS, 'cmskubernetes', 'kubernetes', 'cmsweb');
const present = existsSync(HELM) && existsSync(CMSWEB);
if (!present)
  console.log(`corpus tests skipped: ${CORPUS} is absent (they read the real CMSWEB repository from ../shared/corpus)`);
const corpusIt = present ? it : it.skip;

interface F {
  check: string;
  message: string;
  file?: string;
  line?: number;
  resource?: { apiVersion: string; kind: string; namespace?: string; name: string };
}

describe('real corpus: dmwm/CMSKubernetes', () => {
  corpusIt('chart mode on helm/*: exactly mongodb and opapolicies do not render', { timeout: 300_000 }, async () => {
    const charts = readdirSync(HELM, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(charts).toHaveLength(55);
    const results = await mapLimit(charts, async (name) => {
      const r = await validateChart({
        dir: join(HELM, name),
        valueFiles: [],
        namespace: 'default',
        kubernetesVersion: '1.33',
        renderer: helmRenderer,
        createSchemas: createKubeSchemaValidator,
        config: DEFAULT_CONFIG,
        context: { ...EMPTY_CONTEXT, complete: true },
      });
      return { name, findings: r.findings as F[] };
    });
    const broken = results.filter((r) =>
      r.findings.some((f) => f.check === 'chart-render' || f.check === 'chart-template-parse'),
    );
    expect(broken.map((r) => r.name)).toEqual(['mongodb', 'opapolicies']);
    const mongodb = broken[0]!.findings.find((f) => f.check === 'chart-render')!;
    expect(mongodb).toMatchObject({ file: join(HELM, 'mongodb', 'templates', 'monitoring.yaml'), line: 438 });
    expect(mongodb.message).toMatch(/nil pointer evaluating interface \{\}\.serviceName/);
    const opa = broken[1]!.findings.filter((f) => f.check === 'chart-yaml');
    expect(opa).toEqual([
      expect.objectContaining({
        file: join(HELM, 'opapolicies', 'Chart.yaml'),
        line: 1,
        message: expect.stringContaining('apiVersion "v3" is not a Helm chart API version'),
      }),
    ]);
  });

  corpusIt(
    'manifests mode on kubernetes/cmsweb: duplicate keys, removed HPA APIs, the t0reqmon HPA in the wrong namespace',
    { timeout: 120_000 },
    async () => {
      // The manifests command in process (the CLI's own function; its end-to-end runs are in manifests.test.ts),
      // run in that checkout (--root: no catalog there), as its users would, not in this repository.
      const r = await runManifestsInProcess([CMSWEB], { root: CMSWEB, kubeVersion: '1.33' });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      const findings = (JSON.parse(r.stdout) as { findings: F[] }).findings;
      const rel = (f: F) => f.file!.slice(CMSWEB.length + 1);
      const dup = (key: string) =>
        findings
          .filter((f) => f.check === 'yaml-duplicate-key' && f.message.startsWith(`duplicate key "${key}"`))
          .map(rel);

      // `command:` twice in 12 dbs2go manifests
      expect(dup('command')).toEqual([
        'services/dbs2go-global-m.yaml',
        'services/dbs2go-global-migration.yaml',
        'services/dbs2go-global-r.yaml',
        'services/dbs2go-global-w.yaml',
        'services/dbs2go-migrate.yaml',
        'services/dbs2go-migration.yaml',
        'services/dbs2go-phys03-m.yaml',
        'services/dbs2go-phys03-migration.yaml',
        'services/dbs2go-phys03-r.yaml',
        'services/dbs2go-phys03-w.yaml',
        'services/dbs2go-writer.yaml',
        'services/dbs2go.yaml',
      ]);
      // `exec:` twice in dbs-global-r (liveness and readiness probes), `ports:` twice in the wmarchive and wmstats Services
      expect(
        findings
          .filter((f) => f.check === 'yaml-duplicate-key' && f.message.startsWith('duplicate key "exec"'))
          .map((f) => `${rel(f)}:${f.line}`),
      ).toEqual(['services/dbs-global-r.yaml:98', 'services/dbs-global-r.yaml:112']);
      expect(dup('ports')).toEqual(['services/wmarchive.yaml', 'services/wmstats.yaml']);
      expect(findings.filter((f) => f.check === 'yaml-duplicate-key')).toHaveLength(32);

      // HPAs on autoscaling/v2beta2, removed in Kubernetes 1.26
      const removedHpa = findings.filter(
        (f) => f.check === 'api-removed' && f.resource?.apiVersion === 'autoscaling/v2beta2',
      );
      expect(removedHpa).toHaveLength(20);
      expect(new Set(removedHpa.map(rel))).toEqual(
        new Set([
          'hpa/crabserver-hpa.yaml',
          'hpa/das-hpa.yaml',
          'hpa/dbs-hpa.yaml',
          'hpa/frontend.yaml',
          'hpa/hpa-httpgo.yaml',
          'hpa/reqmgr2-hpa.yaml',
          'hpa/reqmon-hpa.yaml',
          'hpa/t0reqmon-hpa.yaml',
          'hpa/t0wmadatasvc-hpa.yaml',
          'hpa/wmarhive-hpa.yaml',
          'services/dbs-global-r-hpa.yaml',
        ]),
      );
      expect(removedHpa[0]!.message).toContain('use autoscaling/v2');

      // the t0reqmon HPA (and its NetworkPolicy in three variants) in namespace tzero, the workload in dmwm
      expect(
        findings.filter((f) => f.check === 'hpa-target').map((f) => [rel(f), f.resource?.namespace, f.resource?.name]),
      ).toEqual([['hpa/t0reqmon-hpa.yaml', 'tzero', 't0reqmon-hpa']]);
      expect(findings.find((f) => f.check === 'hpa-target')!.message).toBe(
        'scaleTargetRef Deployment t0reqmon is not in namespace tzero but in dmwm: an autoscaler only scales objects of its own namespace; move the HorizontalPodAutoscaler to dmwm',
      );
      expect(findings.filter((f) => f.check === 'networkpolicy-target').map(rel)).toEqual([
        'networkpolicies/production/tzero.yaml',
        'networkpolicies/test-clusters/tzero.yaml',
        'networkpolicies/testbed/tzero.yaml',
      ]);
    },
  );
});
