import { describe, expect, it } from 'vitest';
import { cronScheduleProblem, effectiveSettings, timeZoneProblem } from '../src/index.js';
import { hostPathAllowed } from '../src/workload-rules.js';
import { lines, load } from './fixtures.js';

// Workload kinds and pod features: schema errors at file:line:column, and the cross-field rules.
// `worker(extra)` is three lines (no ports, no prefixes); `extra` starts on line 4.

const F = 'catalog/services/job.yaml';
const worker = (extra: string) =>
  `name: job\nnamespace: http\nimage: { repository: registry.cern.ch/cmsweb/job }\n${extra}`;
const run = (extra: string) => lines(load({ [F]: worker(extra) }).findings);

describe('workload kinds and pod features: accepted', () => {
  it('a worker without ports, and every kind with its settings, load without findings', () => {
    const ok = [
      '',
      'kind: DaemonSet\nhostNetwork: true\ntolerations: [{ operator: Exists }]\nnodeSelector: { role: auth }\n',
      'kind: StatefulSet\nports: { http: 27017, headless: true }\nvolumeClaimTemplates:\n  - { name: data, mountPath: /data, storage: 10Gi }\n',
      'kind: CronJob\ncronJob: { schedule: "*/10 * * * *", timeZone: Europe/Zurich, concurrencyPolicy: Forbid }\njob: { backoffLimit: 2 }\nenvironments:\n  dev: { suspend: true, schedule: "@hourly" }\n',
      'kind: Job\njob: { backoffLimit: 0, ttlSecondsAfterFinished: 600, restartPolicy: Never }\n',
      'envFrom: [{ secretRef: job-secrets }]\nvolumes:\n  - { name: scratch, emptyDir: {}, mountPath: /scratch }\n  - { name: certs, hostPath: { path: /etc/grid-security/certificates }, mountPath: /certs }\n',
      'serviceAccount: { rules: [{ apiGroups: [""], resources: [pods], verbs: [get, list] }] }\nimagePullSecrets: [registry-creds]\n',
      'initContainers: [{ name: wait, image: "busybox:1.36", command: [sh, -c, "true"] }]\nterminationGracePeriodSeconds: 60\nlifecycle: { preStop: { exec: { command: [sleep, "5"] } } }\n',
    ];
    for (const extra of ok) expect(run(extra), extra).toEqual([]);
  });

  it('per-environment schedule and suspend are effective settings', () => {
    const r = load({
      [F]: worker(
        'kind: CronJob\ncronJob: { schedule: "0 * * * *" }\nenvironments:\n  prod: { schedule: "5 * * * *", suspend: true }\n',
      ),
    });
    const cat = r.catalog!;
    const s = cat.services[0]!;
    expect(effectiveSettings(cat.cluster, s, 'dev')).toMatchObject({ schedule: '0 * * * *', suspend: undefined });
    expect(effectiveSettings(cat.cluster, s, 'prod')).toMatchObject({ schedule: '5 * * * *', suspend: true });
  });
});

describe('workload kinds and pod features: refused, at the key', () => {
  const cases: Array<[string, string, string[]]> = [
    [
      'unknown kind, with the allowed ones',
      'kind: Deployments\n',
      [
        `${F}:4:1 catalog-schema kind: expected one of "Deployment", "DaemonSet", "StatefulSet", "CronJob", "Job", got string "Deployments"`,
      ],
    ],
    [
      'a typo in cronJob, with "did you mean"',
      'kind: CronJob\ncronJob: { schedule: "@daily", sucess: 1 }\n',
      [
        `${F}:5:32 catalog-unknown-key unknown key "sucess" in cronJob (did you mean "suspend"?); allowed keys: schedule, timeZone, concurrencyPolicy, successfulJobsHistoryLimit, failedJobsHistoryLimit, startingDeadlineSeconds, suspend`,
      ],
    ],
    [
      'a CronJob without schedule settings',
      'kind: CronJob\n',
      [`${F}:4:1 catalog-workload a CronJob needs cronJob: {schedule: "<cron>"}`],
    ],
    [
      'a bad schedule',
      'kind: CronJob\ncronJob: { schedule: "61 * * * *" }\n',
      [
        `${F}:5:12 catalog-schema cronJob.schedule: expected a cron schedule such as "*/10 * * * *" or @daily (this one has minute "61", which is outside 0-59), got string "61 * * * *"`,
      ],
    ],
    [
      'a time zone in the schedule',
      'kind: CronJob\ncronJob: { schedule: "TZ=UTC 0 * * * *" }\n',
      [
        `${F}:5:12 catalog-schema cronJob.schedule: expected a cron schedule such as "*/10 * * * *" or @daily (this one names a time zone with TZ=/CRON_TZ=, which the API server refuses: use timeZone), got string "TZ=UTC 0 * * * *"`,
      ],
    ],
    [
      'an unknown time zone',
      'kind: CronJob\ncronJob: { schedule: "@daily", timeZone: Europe/Geneva }\n',
      [
        `${F}:5:32 catalog-schema cronJob.timeZone: expected an IANA time zone such as Europe/Zurich (this one is not a time zone of the IANA database (e.g. Europe/Zurich, UTC)), got string "Europe/Geneva"`,
      ],
    ],
    [
      'replicas and autoscaling on a CronJob',
      'kind: CronJob\ncronJob: { schedule: "@daily" }\nreplicas: 2\nautoscaling: { minReplicas: 1, maxReplicas: 2 }\n',
      [
        `${F}:6:1 catalog-workload a CronJob runs pods to completion: replicas has no meaning, remove it`,
        `${F}:7:1 catalog-workload a CronJob runs pods to completion: it cannot be autoscaled, remove autoscaling`,
      ],
    ],
    [
      'replicas in an environment of a DaemonSet',
      'kind: DaemonSet\nenvironments:\n  prod: { replicas: 3 }\n',
      [`${F}:6:11 catalog-workload a DaemonSet runs one pod per node: replicas has no meaning, remove it`],
    ],
    [
      'cronJob, job and volumeClaimTemplates on a Deployment',
      'cronJob: { schedule: "@daily" }\njob: {}\nvolumeClaimTemplates: [{ name: d, mountPath: /d, storage: 1Gi }]\n',
      [
        `${F}:4:1 catalog-workload cronJob applies to kind CronJob only, and this service is kind Deployment (the default): set kind: CronJob or remove it`,
        `${F}:5:1 catalog-workload job applies to kinds Job and CronJob only, and this service is kind Deployment (the default)`,
        `${F}:6:1 catalog-workload volumeClaimTemplates apply to kind StatefulSet only, and this service is kind Deployment (the default)`,
      ],
    ],
    [
      'a schedule in an environment of a Deployment',
      'environments:\n  dev: { schedule: "@daily" }\n',
      [
        `${F}:5:10 catalog-workload schedule applies to kind CronJob only, and this service is kind Deployment (the default)`,
      ],
    ],
    [
      'URL prefixes without a port',
      'urlPrefixes: [/job]\n',
      [
        `${F}:4:1 catalog-workload urlPrefixes need a port to route to: add ports.http (a worker without ports has no Service)`,
      ],
    ],
    [
      'a StatefulSet without ports',
      'kind: StatefulSet\n',
      [`${F}:4:1 catalog-workload a StatefulSet needs ports: its headless Service (serviceName) names the pods`],
    ],
    [
      'hostNetwork on a Deployment with a port',
      'hostNetwork: true\nports: { http: 8080 }\n',
      [
        `${F}:4:1 catalog-workload hostNetwork binds ports.http on the node itself: only a DaemonSet (one pod per node) can do that without port conflicts, and this service is kind Deployment (the default)`,
      ],
    ],
    [
      'a volume with two sources, a host path not allowed',
      'volumes:\n  - { name: a, emptyDir: {}, hostPath: { path: /var/run/docker.sock } }\n',
      [
        `${F}:5:5 catalog-workload volume "a" needs exactly one of emptyDir, persistentVolumeClaim, hostPath, secret, configMap (has emptyDir, hostPath)`,
        `${F}:5:42 catalog-host-path host path /var/run/docker.sock is not under allowedHostPaths of catalog/cluster.yaml (/etc/grid-security); use a PersistentVolumeClaim, or ask the platform team to allow it`,
      ],
    ],
    [
      'envFrom with both sources',
      'envFrom: [{ secretRef: a, configMapRef: b }]\n',
      [`${F}:4:11 catalog-env envFrom needs exactly one of secretRef, configMapRef (has 2)`],
    ],
    [
      'a sidecar probe without handler, a hook with two',
      'sidecars:\n  - name: exp\n    image: "exporter:1"\n    probes: { liveness: { periodSeconds: 5 } }\nlifecycle: { preStop: { exec: { command: [x] }, httpGet: { path: /, port: 80 } } }\n',
      [
        `${F}:8:14 catalog-probe lifecycle preStop needs exactly one of exec, httpGet`,
        `${F}:7:15 catalog-probe liveness probe needs exactly one of exec, httpGet, tcpSocket`,
      ],
    ],
    [
      'an existing ServiceAccount with rules',
      'serviceAccount: { name: default, rules: [{ apiGroups: [""], resources: [pods], verbs: [get] }] }\n',
      [
        `${F}:4:19 catalog-workload serviceAccount.name uses an existing ServiceAccount, so the chart grants it no rules: remove name (the chart creates one) or the rules`,
      ],
    ],
    [
      'a literal secret in an init container',
      'initContainers: [{ name: i, image: "busybox:1", env: [{ name: DB_PASSWORD, value: hunter2 }] }]\n',
      [
        `${F}:4:76 catalog-literal-secret env DB_PASSWORD has a literal value that looks like a secret; secrets never enter the repository: use secretKeyRef: {name: <secret>, key: <key>}`,
      ],
    ],
  ];
  for (const [name, extra, expected] of cases) it(name, () => expect(run(extra)).toEqual(expected));
});

describe('grammar of schedules, time zones and host paths', () => {
  it('cron schedules as robfig/cron ParseStandard reads them', () => {
    for (const ok of [
      '* * * * *',
      '*/5 * * * *',
      '07 08 * * *',
      '0 0 1-15/2 JAN-mar sun,SAT',
      '@daily',
      '@every 1h30m',
      '0 0 ? * *',
    ])
      expect(cronScheduleProblem(ok), ok).toBeUndefined();
    expect(cronScheduleProblem('* * * *')).toMatch(/4 field/);
    expect(cronScheduleProblem('0 24 * * *')).toMatch(/hour "24".*0-23/);
    expect(cronScheduleProblem('0 0 0 * *')).toMatch(/day of month.*1-31/);
    expect(cronScheduleProblem('0 0 * * 7')).toMatch(/day of week.*0-6/);
    expect(cronScheduleProblem('5-1 * * * *')).toMatch(/start is after its end/);
    expect(cronScheduleProblem('*/0 * * * *')).toMatch(/step 0/);
    expect(cronScheduleProblem('@weekdays')).toMatch(/unknown descriptor/);
    expect(cronScheduleProblem('CRON_TZ=UTC @daily')).toMatch(/timeZone/);
  });
  it('time zones', () => {
    expect(timeZoneProblem('Europe/Zurich')).toBeUndefined();
    expect(timeZoneProblem('UTC')).toBeUndefined();
    expect(timeZoneProblem('Local')).toMatch(/Local/);
    expect(timeZoneProblem('')).toMatch(/empty/);
    expect(timeZoneProblem('../etc/passwd')).toMatch(/not an IANA/);
    expect(timeZoneProblem('Mars/Olympus')).toMatch(/IANA database/);
  });
  it('host paths under an allowed prefix, not beside it', () => {
    expect(hostPathAllowed('/etc/grid-security', ['/etc/grid-security'])).toBe(true);
    expect(hostPathAllowed('/etc/grid-security/hostcert.pem', ['/etc/grid-security/'])).toBe(true);
    expect(hostPathAllowed('/etc/grid-security-evil', ['/etc/grid-security'])).toBe(false);
    expect(hostPathAllowed('/var/log', ['/etc/grid-security'])).toBe(false);
  });
});
