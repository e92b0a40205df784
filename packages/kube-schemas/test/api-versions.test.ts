import { describe, expect, it } from 'vitest';
import { API_LIFECYCLE, checkApiVersion, findApiLifecycle } from '../src/index.js';

describe('checkApiVersion', () => {
  it.each([
    ['autoscaling/v2beta2', 'HorizontalPodAutoscaler', '1.26', 'removed', 'autoscaling/v2'],
    ['autoscaling/v2beta2', 'HorizontalPodAutoscaler', '1.25', 'deprecated', 'autoscaling/v2'],
    ['autoscaling/v2beta2', 'HorizontalPodAutoscaler', '1.22', 'ok', undefined],
    ['autoscaling/v2beta1', 'HorizontalPodAutoscaler', '1.25', 'removed', 'autoscaling/v2'],
    ['policy/v1beta1', 'PodDisruptionBudget', '1.33', 'removed', 'policy/v1'],
    ['extensions/v1beta1', 'Deployment', '1.16', 'removed', 'apps/v1'],
    ['apps/v1beta1', 'Deployment', '1.15', 'deprecated', 'apps/v1'],
    ['apps/v1beta2', 'DaemonSet', 'v1.16.3', 'removed', 'apps/v1'],
    ['networking.k8s.io/v1beta1', 'Ingress', '1.22', 'removed', 'networking.k8s.io/v1'],
    ['extensions/v1beta1', 'Ingress', '1.21', 'deprecated', 'networking.k8s.io/v1'],
    ['batch/v1beta1', 'CronJob', '1.25', 'removed', 'batch/v1'],
    ['flowcontrol.apiserver.k8s.io/v1beta3', 'FlowSchema', '1.32', 'removed', 'flowcontrol.apiserver.k8s.io/v1'],
    ['flowcontrol.apiserver.k8s.io/v1beta3', 'FlowSchema', '1.31', 'deprecated', 'flowcontrol.apiserver.k8s.io/v1'],
    ['v1', 'Endpoints', '1.33', 'deprecated', 'discovery.k8s.io/v1'],
    ['v1', 'Endpoints', '1.32', 'ok', undefined],
    ['apps/v1', 'Deployment', '1.33', 'ok', undefined],
    ['autoscaling/v2', 'HorizontalPodAutoscaler', '1.33', 'ok', undefined],
  ])('%s %s at %s is %s', (apiVersion, kind, version, status, replacement) => {
    const r = checkApiVersion(apiVersion, kind, version);
    expect(r.status).toBe(status);
    expect(r.replacement).toBe(replacement);
  });

  it('messages say when and what to use instead', () => {
    expect(checkApiVersion('autoscaling/v2beta2', 'HorizontalPodAutoscaler', '1.33').message).toBe(
      'autoscaling/v2beta2 HorizontalPodAutoscaler was removed in Kubernetes 1.26 (target 1.33); use autoscaling/v2',
    );
    expect(checkApiVersion('batch/v1beta1', 'CronJob', '1.23').message).toBe(
      'batch/v1beta1 CronJob is deprecated since Kubernetes 1.21 and will be removed in 1.25; use batch/v1',
    );
    expect(checkApiVersion('policy/v1beta1', 'PodSecurityPolicy', '1.30').message).toContain('Pod Security Admission');
  });

  it("a List kind shares its item kind's lifecycle", () => {
    expect(checkApiVersion('batch/v1beta1', 'CronJobList', '1.30').status).toBe('removed');
  });

  it('rejects a malformed version', () => {
    expect(() => checkApiVersion('apps/v1', 'Deployment', 'one.thirty')).toThrow(/invalid Kubernetes version/);
  });

  it('the table is consistent: deprecated no later than removed, each apiVersion/kind once', () => {
    const seen = new Set<string>();
    for (const e of API_LIFECYCLE) {
      const [dMaj, dMin] = e.deprecatedIn.split('.').map(Number);
      if (e.removedIn) {
        const [rMaj, rMin] = e.removedIn.split('.').map(Number);
        expect(rMaj! * 100 + rMin!).toBeGreaterThanOrEqual(dMaj! * 100 + dMin!);
      }
      for (const kind of e.kinds) {
        const key = `${e.apiVersion} ${kind}`;
        expect(seen.has(key), key).toBe(false);
        seen.add(key);
        expect(findApiLifecycle(e.apiVersion, kind)).toBe(e);
      }
    }
  });
});
