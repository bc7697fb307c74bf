// A HorizontalPodAutoscaler is healthy once it is able to scale its target. As Argo CD's rule, it is
// degraded when it cannot read or update its target's scale, or its selector is invalid; unlike it,
// metrics it cannot get yet (a metrics server still starting) are progressing: that may heal.
import type { KubeObject } from '../../kube/types.js';
import { conditionOf, describeCondition, degraded, healthy, progressing } from '../conditions.js';
import type { Health } from '../types.js';

const HOPELESS = new Set(['FailedGetScale', 'FailedUpdateScale', 'InvalidSelector', 'InvalidMetricSourceType']);

export function horizontalPodAutoscalerHealth(object: KubeObject): Health {
  const able = conditionOf(object, 'AbleToScale');
  const active = conditionOf(object, 'ScalingActive');
  for (const condition of [able, active]) {
    if (condition?.status === 'False' && condition.reason && HOPELESS.has(condition.reason)) return degraded(describeCondition(condition));
  }
  if (!able) return progressing('no AbleToScale condition yet: the autoscaler has not run for it');
  if (able.status !== 'True') return progressing(describeCondition(able));
  if (active?.status === 'False' && active.reason !== 'ScalingDisabled') return progressing(describeCondition(active));
  return healthy(describeCondition(active ?? able));
}
