// The manifests-mode bench input, shared with the fast-path test (test/fast-path.test.ts).

/** `n` documents (the bench: 20,000): Deployments with their Service, ConfigMap and HPA, across 50 namespaces. */
export function generateDocs(n: number): string {
  const labels = (i: number) =>
    `{app.kubernetes.io/name: app-${i}, app.kubernetes.io/instance: app-${i}, app.kubernetes.io/managed-by: bench}`;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const app = i - (i % 4);
    const ns = `ns-${app % 50}`;
    switch (i % 4) {
      case 0:
        out.push(
          `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${app}\n  namespace: ${ns}\n  labels: ${labels(i)}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: app-${app}}\n  template:\n    metadata:\n      labels: {app: app-${app}}\n    spec:\n      securityContext: {runAsNonRoot: true, runAsUser: 1000}\n      containers:\n        - name: app\n          image: registry.example.org/app:v1.${i}\n          ports: [{containerPort: 8080, name: http}]\n          resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 500m, memory: 256Mi}}\n          livenessProbe: {httpGet: {path: /healthz, port: 8080}}\n          readinessProbe: {httpGet: {path: /healthz, port: 8080}}\n`,
        );
        break;
      case 1:
        out.push(
          `apiVersion: v1\nkind: Service\nmetadata:\n  name: app-${app}\n  namespace: ${ns}\n  labels: ${labels(i)}\nspec:\n  selector: {app: app-${app}}\n  ports: [{port: 80, targetPort: http}]\n`,
        );
        break;
      case 2:
        out.push(
          `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg-${i}\n  namespace: ${ns}\n  labels: ${labels(i)}\ndata:\n  key: value-${i}\n`,
        );
        break;
      default:
        out.push(
          `apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: app-${app}\n  namespace: ${ns}\n  labels: ${labels(i)}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: app-${app}}\n  minReplicas: 1\n  maxReplicas: 4\n  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}}]\n`,
        );
    }
  }
  return out.join('---\n');
}
