import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

// An HTTPS server on 127.0.0.1 (a self-signed certificate made with openssl, its CA in the kubeconfig: the
// client refuses plain HTTP without insecure-skip-tls-verify, as kubectl does) answering the Kubernetes API paths cluster-status reads, as the API server
// does: lists with limit/continue pages, Status bodies for 401/404/410, and a bearer token it checks. A
// kubeconfig pointing at it puts @kubernetes/client-node (config loading, auth, HTTP, errors) in the loop.

export interface FakeDeployment {
  namespace: string;
  name: string;
  image: string;
  replicas?: number;
  ready?: number;
  updated?: number;
  generation?: number;
  observedGeneration?: number;
  progressingReason?: string;
}

export interface FakeApp {
  name: string;
  sync: string;
  health: string;
}

export interface FakeKubeApi {
  url: string;
  token: string;
  deployments: FakeDeployment[];
  /** undefined: the Application CRD is not served (404). */
  apps: FakeApp[] | undefined;
  /** Paths answered with this status (or 'hang': never answered). */
  faults: Map<RegExp, number | 'hang'>;
  requests: { path: string; authorization: string | undefined }[];
  kubeconfig(file: string, token?: string): string;
  close(): Promise<void>;
}

const status = (code: number, reason: string, message: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message,
  reason,
  code,
});

function deployment(d: FakeDeployment) {
  const replicas = d.replicas ?? 1;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: d.name, namespace: d.namespace, generation: d.generation ?? 1 },
    spec: {
      replicas,
      selector: { matchLabels: { 'app.kubernetes.io/name': d.name } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': d.name } },
        spec: {
          containers: [
            { name: d.name, image: d.image },
            { name: 'filebeat', image: 'docker.elastic.co/beats/filebeat:8.0.0' },
          ],
        },
      },
    },
    status: {
      observedGeneration: d.observedGeneration ?? d.generation ?? 1,
      replicas,
      readyReplicas: d.ready ?? replicas,
      updatedReplicas: d.updated ?? replicas,
      availableReplicas: d.ready ?? replicas,
      conditions: d.progressingReason ? [{ type: 'Progressing', status: 'False', reason: d.progressingReason }] : [],
    },
  };
}

/** A certificate for 127.0.0.1 (valid one day), made once per test file. */
let tls: { key: string; cert: string } | undefined;
function certificate(): { key: string; cert: string } {
  if (tls) return tls;
  const dir = mkdtempSync(join(tmpdir(), 'fake-kube-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    tls = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
    return tls;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startFakeKubeApi(): Promise<FakeKubeApi> {
  const tls = certificate();
  const api: Omit<FakeKubeApi, 'url'> & { url: string } = {
    url: '',
    token: 'test-token-0123456789',
    deployments: [],
    apps: [],
    faults: new Map(),
    requests: [],
    kubeconfig(file, token = api.token) {
      writeFileSync(
        file,
        `apiVersion: v1
kind: Config
clusters:
  - name: testbed
    cluster: { server: "${api.url}", certificate-authority-data: "${Buffer.from(tls.cert).toString('base64')}" }
users:
  - name: ci
    user: { token: "${token}" }
contexts:
  - name: cmsweb-testbed
    context: { cluster: testbed, user: ci }
  - name: other
    context: { cluster: testbed, user: ci }
current-context: cmsweb-testbed
`,
      );
      return file;
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    api.requests.push({ path: url.pathname + url.search, authorization: req.headers.authorization });
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    for (const [re, fault] of api.faults) {
      if (!re.test(url.pathname + url.search)) continue;
      if (fault === 'hang') return;
      return send(fault, status(fault, fault === 410 ? 'Expired' : 'InternalError', `fault ${fault}`));
    }
    if (req.headers.authorization !== `Bearer ${api.token}`)
      return send(401, status(401, 'Unauthorized', 'Unauthorized'));
    const limit = Number(url.searchParams.get('limit') ?? 0) || Infinity;
    const from = Number(url.searchParams.get('continue') ?? 0);
    const page = <T>(kind: string, apiVersion: string, items: T[]) => {
      const slice = items.slice(from, from + limit);
      const next = from + limit < items.length ? String(from + limit) : undefined;
      return {
        kind,
        apiVersion,
        metadata: { resourceVersion: '42', ...(next ? { continue: next } : {}) },
        items: slice,
      };
    };
    let m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments$/.exec(url.pathname);
    if (m)
      return send(
        200,
        page('DeploymentList', 'apps/v1', api.deployments.filter((d) => d.namespace === m![1]).map(deployment)),
      );
    m = /^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/([^/]+)\/applications$/.exec(url.pathname);
    if (m && api.apps)
      return send(
        200,
        page(
          'ApplicationList',
          'argoproj.io/v1alpha1',
          api.apps.map((a) => ({
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Application',
            metadata: { name: a.name, namespace: m![1] },
            status: { sync: { status: a.sync }, health: { status: a.health } },
          })),
        ),
      );
    return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  api.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}
