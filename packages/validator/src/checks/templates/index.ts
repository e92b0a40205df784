import type { CheckTemplate } from '../check.js';
import {
  containerFieldPresent,
  containerHardening,
  containerResources,
  containerSecurity,
  imageTag,
  limitsAboveRequests,
} from './container-templates.js';
import {
  cronJobSchedule,
  frontendRoutesTemplate,
  frontendRulesUnique,
  hostPathAllowed,
  requiredLabels,
} from './object-templates.js';
import { ingressBackend, selectorMatchesPods, serviceTargetPort } from './selector-templates.js';
import { hpaMetricAdapter, scaleTargetExists } from './autoscaling-templates.js';
import { duplicateObject, networkPolicyAdmitsFrontend, networkPolicyPeerPods } from './network-templates.js';

/** Every check template by name; policy checks in the registry refer to these. */
export const TEMPLATES: Record<string, CheckTemplate> = Object.fromEntries(
  [
    containerFieldPresent,
    containerResources,
    limitsAboveRequests,
    imageTag,
    containerSecurity,
    containerHardening,
    cronJobSchedule,
    hostPathAllowed,
    requiredLabels,
    frontendRulesUnique,
    frontendRoutesTemplate,
    selectorMatchesPods,
    serviceTargetPort,
    ingressBackend,
    scaleTargetExists,
    hpaMetricAdapter,
    networkPolicyAdmitsFrontend,
    networkPolicyPeerPods,
    duplicateObject,
  ].map((t) => [t.name, t]),
);
