// Validates 20,000 generated documents (Deployments, Services, HPAs, ConfigMaps; 3 in 20 broken)
// and prints documents/s and peak RSS. Two figures: objects already parsed (what the validator app does
// per rendered resource) and YAML text parsed then validated (what `kubeconform -strict` measures).
// Run: npm run bench -- kube-schemas   (or: npx tsx packages/kube-schemas/bench/bench-validate.ts)
import { parse, stringify } from 'yaml';
import { createSchemaValidator } from '../src/index.js';

const COUNT = 20_000;

function document(i: number): Record<string, any> {
  const name = `svc-${i}`;
  const labels = { app: name, 'app.kubernetes.io/part-of': 'cmsweb' };
  switch (i % 4) {
    case 0:
      return {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: 'cmsweb', labels },
        spec: {
          replicas: 1 + (i % 3),
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                {
                  name,
                  image: `registry.cern.ch/cmsweb/${name}:v1.${i % 50}.0`,
                  imagePullPolicy: i % 10 === 0 ? 'Sometimes' : 'IfNotPresent',
                  ports: [{ containerPort: 8000 + (i % 100), name: 'http' }],
                  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: 1, memory: '1Gi' } },
                  livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
                  env: [{ name: 'X509_USER_PROXY', value: '/etc/proxy/proxy' }],
                  volumeMounts: [{ name: 'secrets', mountPath: '/etc/secrets', readOnly: true }],
                },
              ],
              volumes: [{ name: 'secrets', secret: { secretName: `${name}-secrets` } }],
            },
          },
        },
      };
    case 1:
      return {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, labels },
        spec: {
          selector: { app: name },
          ports: [{ port: 8000, targetPort: i % 10 === 1 ? true : 'http', protocol: 'TCP' }],
        },
      };
    case 2:
      return {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
          minReplicas: 1,
          maxReplicas: 5,
          metrics: [
            { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
          ],
          ...(i % 10 === 2 ? { maxReplicaz: 3 } : {}),
        },
      };
    default:
      return {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, labels },
        data: { 'config.json': JSON.stringify({ port: 8000 + i }) },
      };
  }
}

function rate(n: number, ms: number): string {
  return `${Math.round((n / ms) * 1000).toLocaleString('en-US')} documents/s`;
}

const docs = Array.from({ length: COUNT }, (_, i) => document(i));
const yamlText = docs.map((d) => stringify(d)).join('---\n');

let t = performance.now();
const validator = createSchemaValidator({ kubernetesVersion: '1.33' });
await validator.warmUp(
  [...new Set(docs.map((d) => `${d['apiVersion']}|${d['kind']}`))].map((k) => ({
    apiVersion: k.split('|')[0]!,
    kind: k.split('|')[1]!,
  })),
);
const warmMs = performance.now() - t;

t = performance.now();
let invalid = 0;
for (const d of docs) {
  const r = validator.validate(d);
  if (r === 'unknown-kind' || r.length) invalid++;
}
const objectMs = performance.now() - t;
const objectRss = process.resourceUsage().maxRSS / 1024;

t = performance.now();
let invalidFromText = 0;
// One document at a time, as a stream reader would hand them over.
for (const text of yamlText.split(/^---\n/m)) {
  const r = validator.validate(parse(text) as object);
  if (r === 'unknown-kind' || r.length) invalidFromText++;
}
const textMs = performance.now() - t;

if (invalid !== (COUNT * 3) / 20 || invalidFromText !== invalid) {
  throw new Error(
    `expected ${(COUNT * 3) / 20} invalid documents, found ${invalid} (objects) and ${invalidFromText} (YAML)`,
  );
}
console.log(`kube-schemas: ${COUNT} documents (${invalid} invalid), Kubernetes 1.33, strict`);
console.log(`  warm-up (load + compile 4 kinds): ${warmMs.toFixed(0)} ms`);
console.log(`  validate parsed objects:          ${rate(COUNT, objectMs)} (${objectMs.toFixed(0)} ms)`);
console.log(`  parse YAML + validate:            ${rate(COUNT, textMs)} (${textMs.toFixed(0)} ms)`);
console.log(
  `  peak RSS: ${objectRss.toFixed(0)} MB after the object run (documents held in memory), ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB at the end`,
);
