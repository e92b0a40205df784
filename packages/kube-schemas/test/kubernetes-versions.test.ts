// The target version selects the schema set: fields and kinds another release has are errors naming
// that release; APIs the shipped releases drop are removed, with their replacement.
import { describe, expect, it } from 'vitest';
import { checkApiVersion, createSchemaValidator, KUBERNETES_VERSIONS } from '../src/index.js';
import { presenceNote } from '../src/version-history.js';
import { deployment } from './samples.js';

const at = (version: string) => createSchemaValidator({ kubernetesVersion: version });
const podSpec = (d: Record<string, any>) => d['spec'].template.spec;

describe('per-version schemas', () => {
  it('ships every minor version from 1.30 to 1.36', () => {
    expect(KUBERNETES_VERSIONS).toEqual(['1.30', '1.31', '1.32', '1.33', '1.34', '1.35', '1.36']);
  });

  it('a field added in a later release is an error naming that release', () => {
    const d = deployment();
    podSpec(d).hostnameOverride = 'web-0';
    expect(at('1.33').validate(d)).toEqual([
      {
        path: '/spec/template/spec/hostnameOverride',
        message: 'unknown field "hostnameOverride": it does not exist in Kubernetes 1.33; it was added in 1.34',
        check: 'schema-unknown-field',
      },
    ]);
    expect(at('1.34').validate(d)).toEqual([]);
    expect(at('1.36').validate(d)).toEqual([]);
  });

  it('a field removed in a later release is an error there, naming the release that removed it', () => {
    const d = deployment();
    podSpec(d).workloadRef = { name: 'w', podGroup: 'g' };
    expect(at('1.35').validate(d)).toEqual([]);
    expect(at('1.36').validate(d)).toEqual([
      {
        path: '/spec/template/spec/workloadRef',
        message:
          'unknown field "workloadRef": it does not exist in Kubernetes 1.36; it was removed in 1.36 (last in 1.35)',
        check: 'schema-unknown-field',
      },
    ]);
  });

  it('a kind added in a later release is unknown, naming the release', () => {
    const ipAddress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IPAddress',
      metadata: { name: '10.0.0.1' },
      spec: { parentRef: { resource: 'services', name: 's' } },
    };
    expect(at('1.33').validate(ipAddress)).toEqual([]);
    expect(at('1.32').validateOrReport(ipAddress)).toEqual([
      {
        path: '/kind',
        message: expect.stringContaining(
          'no schema for networking.k8s.io/v1 IPAddress in Kubernetes 1.32 (looked in: built-in, crd): it was added in 1.33',
        ),
        check: 'schema-unknown-kind',
      },
    ]);
  });

  it('versions without shipped schemas are refused with the supported range', () => {
    expect(() => at('1.29')).toThrow('no Kubernetes schemas ship for version "1.29" (supported: 1.30 to 1.36');
    expect(() => at('1.33.4')).not.toThrow();
  });

  it('presence notes', () => {
    expect(presenceNote(['1.30', '1.31'], '1.33')).toBe('it was removed in 1.32 (last in 1.31)');
    expect(presenceNote(['1.35', '1.36'], '1.33')).toBe('it was added in 1.35');
    expect(presenceNote(['1.33'], '1.33')).toBeUndefined();
    expect(presenceNote([], '1.33')).toBeUndefined();
  });
});

describe('removed APIs from the release data', () => {
  it('an API the releases stop serving is removed from the first release without it, with its successor', () => {
    expect(checkApiVersion('authentication.k8s.io/v1beta1', 'SelfSubjectReview', '1.32').status).toBe('ok');
    expect(checkApiVersion('authentication.k8s.io/v1beta1', 'SelfSubjectReview', '1.33')).toEqual({
      status: 'removed',
      replacement: 'authentication.k8s.io/v1',
      deprecatedIn: '1.33',
      removedIn: '1.33',
      message:
        'authentication.k8s.io/v1beta1 SelfSubjectReview was removed in Kubernetes 1.33 (target 1.33); use authentication.k8s.io/v1',
    });
    expect(checkApiVersion('resource.k8s.io/v1alpha3', 'DeviceClassList', '1.34')).toMatchObject({
      status: 'removed',
      removedIn: '1.34',
      replacement: 'resource.k8s.io/v1',
    });
  });

  it('a kind that a later release adds is not "removed"', () => {
    expect(checkApiVersion('networking.k8s.io/v1', 'IPAddress', '1.32').status).toBe('ok');
  });
});
