// Known, explained differences between the built-in schemas (Kubernetes 1.34 client models) and the
// official definitions. The oracle test fails on any difference not listed here, and on a listed one
// that no longer occurs, so this list stays exact.
//
// v1.33.0: fields that Kubernetes 1.34 added (hostnameOverride, restartPolicyRules, fileKeyRef,
//   podCertificate, extendedResourceClaimStatus, the DRA device fields of resource.k8s.io v1beta1/v1beta2)
//   and NetworkPolicySpec.podSelector, optional since 1.34.
// v1.36.0: fields added in 1.35/1.36 (missing here: schedulingGroup, declaredFeatures, shardInfo, ...),
//   and required lists that 1.35/1.36 changed (HPA/CronJob spec, RoleRef.apiGroup, EndpointSlice
//   endpoints, PriorityClass value, PodDisruptionBudgetStatus, admission policy bindings, ...).
// Tolerated: our source is one release (1.34) for every target version; see README "Version tolerance".

export interface ToleratedDiff {
  readonly extra?: readonly string[];
  readonly missing?: readonly string[];
  readonly required?: { readonly oracle: readonly string[]; readonly ours: readonly string[] };
}

export const TOLERATED: Readonly<Record<string, Readonly<Record<string, ToleratedDiff>>>> = {
  '1.33.0': {
    'io.k8s.api.core.v1.PodSpec': { extra: ['hostnameOverride'] },
    'io.k8s.api.core.v1.Container': { extra: ['restartPolicyRules'] },
    'io.k8s.api.core.v1.EnvVarSource': { extra: ['fileKeyRef'] },
    'io.k8s.api.core.v1.EphemeralContainer': { extra: ['restartPolicyRules'] },
    'io.k8s.api.core.v1.VolumeProjection': { extra: ['podCertificate'] },
    'io.k8s.api.core.v1.PodStatus': { extra: ['extendedResourceClaimStatus'] },
    'io.k8s.api.networking.v1.NetworkPolicySpec': { required: { oracle: ['podSelector'], ours: [] } },
    'io.k8s.api.resource.v1beta1.DeviceClassSpec': { extra: ['extendedResourceName'] },
    'io.k8s.api.resource.v1beta1.DeviceConstraint': { extra: ['distinctAttribute'] },
    'io.k8s.api.resource.v1beta1.DeviceRequest': { extra: ['capacity'] },
    'io.k8s.api.resource.v1beta1.DeviceSubRequest': { extra: ['capacity'] },
    'io.k8s.api.resource.v1beta1.AllocationResult': { extra: ['allocationTimestamp'] },
    'io.k8s.api.resource.v1beta1.DeviceRequestAllocationResult': { extra: ['bindingConditions', 'bindingFailureConditions', 'consumedCapacity', 'shareID'] },
    'io.k8s.api.resource.v1beta1.AllocatedDeviceStatus': { extra: ['shareID'] },
    'io.k8s.api.resource.v1beta1.BasicDevice': { extra: ['allowMultipleAllocations', 'bindingConditions', 'bindingFailureConditions', 'bindsToNode'] },
    'io.k8s.api.resource.v1beta1.DeviceCapacity': { extra: ['requestPolicy'] },
    'io.k8s.api.resource.v1beta2.DeviceClassSpec': { extra: ['extendedResourceName'] },
    'io.k8s.api.resource.v1beta2.DeviceConstraint': { extra: ['distinctAttribute'] },
    'io.k8s.api.resource.v1beta2.ExactDeviceRequest': { extra: ['capacity'] },
    'io.k8s.api.resource.v1beta2.DeviceSubRequest': { extra: ['capacity'] },
    'io.k8s.api.resource.v1beta2.AllocationResult': { extra: ['allocationTimestamp'] },
    'io.k8s.api.resource.v1beta2.DeviceRequestAllocationResult': { extra: ['bindingConditions', 'bindingFailureConditions', 'consumedCapacity', 'shareID'] },
    'io.k8s.api.resource.v1beta2.AllocatedDeviceStatus': { extra: ['shareID'] },
    'io.k8s.api.resource.v1beta2.Device': { extra: ['allowMultipleAllocations', 'bindingConditions', 'bindingFailureConditions', 'bindsToNode'] },
    'io.k8s.api.resource.v1beta2.DeviceCapacity': { extra: ['requestPolicy'] },
  },
  '1.36.0': {
    'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta': { missing: ['shardInfo'] },
    'io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBinding': { required: { oracle: ['spec'], ours: [] } },
    'io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec': { required: { oracle: ['policyName', 'validationActions'], ours: [] } },
    'io.k8s.api.apiserverinternal.v1alpha1.StorageVersion': { required: { oracle: ['metadata'], ours: ['spec', 'status'] } },
    'io.k8s.api.apiserverinternal.v1alpha1.ServerStorageVersion': { required: { oracle: ['apiServerID', 'decodableVersions', 'encodingVersion'], ours: [] } },
    'io.k8s.api.core.v1.PodSpec': { missing: ['schedulingGroup'] },
    'io.k8s.api.core.v1.PodCertificateProjection': { missing: ['userAnnotations'] },
    'io.k8s.api.authentication.v1.TokenReviewSpec': { required: { oracle: ['token'], ours: [] } },
    'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler': { required: { oracle: ['spec'], ours: [] } },
    'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler': { required: { oracle: ['spec'], ours: [] } },
    'io.k8s.api.batch.v1.CronJob': { required: { oracle: ['spec'], ours: [] } },
    'io.k8s.api.batch.v1.PodFailurePolicyOnPodConditionsPattern': { required: { oracle: ['type'], ours: ['status', 'type'] } },
    'io.k8s.api.coordination.v1alpha2.LeaseCandidate': { required: { oracle: ['spec'], ours: [] } },
    'io.k8s.api.coordination.v1beta1.LeaseCandidate': { required: { oracle: ['spec'], ours: [] } },
    'io.k8s.api.core.v1.NodeStatus': { missing: ['declaredFeatures'] },
    'io.k8s.api.core.v1.PodStatus': { missing: ['allocatedResources', 'nodeAllocatableResourceClaimStatuses', 'resources'] },
    'io.k8s.api.core.v1.ResourceHealth': { missing: ['message'] },
    'io.k8s.api.core.v1.VolumeMountStatus': { missing: ['volumeStatus'] },
    'io.k8s.api.discovery.v1.EndpointSlice': { required: { oracle: ['addressType'], ours: ['addressType', 'endpoints'] } },
    'io.k8s.api.networking.v1.IPAddress': { required: { oracle: ['spec'], ours: [] } },
    'io.k8s.api.networking.v1beta1.IPAddress': { required: { oracle: ['spec'], ours: [] } },
    'io.k8s.api.policy.v1.PodDisruptionBudgetStatus': { required: { oracle: [], ours: ['currentHealthy', 'desiredHealthy', 'disruptionsAllowed', 'expectedPods'] } },
    'io.k8s.api.rbac.v1.RoleRef': { required: { oracle: ['kind', 'name'], ours: ['apiGroup', 'kind', 'name'] } },
    'io.k8s.api.resource.v1.Device': { missing: ['nodeAllocatableResourceMappings'] },
    'io.k8s.api.resource.v1.DeviceAttribute': { missing: ['bools', 'ints', 'strings', 'versions'] },
    'io.k8s.api.resource.v1alpha3.DeviceTaintRule': { missing: ['status'] },
    'io.k8s.api.resource.v1alpha3.DeviceTaintSelector': { extra: ['deviceClassName', 'selectors'] },
    'io.k8s.api.resource.v1beta1.BasicDevice': { missing: ['nodeAllocatableResourceMappings'] },
    'io.k8s.api.resource.v1beta1.DeviceAttribute': { missing: ['bools', 'ints', 'strings', 'versions'] },
    'io.k8s.api.resource.v1beta2.Device': { missing: ['nodeAllocatableResourceMappings'] },
    'io.k8s.api.resource.v1beta2.DeviceAttribute': { missing: ['bools', 'ints', 'strings', 'versions'] },
    'io.k8s.api.scheduling.v1.PriorityClass': { required: { oracle: [], ours: ['value'] } },
    'io.k8s.api.storage.v1.CSIDriverSpec': { missing: ['preventPodSchedulingIfMissing', 'serviceAccountTokenInSecrets'] },
    'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionStatus': { missing: ['observedGeneration'] },
    'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionCondition': { missing: ['observedGeneration'] },
  },
};
