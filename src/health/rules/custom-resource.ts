// A custom resource, judged by the conventions its controller follows (kstatus'): the controller must
// have observed its latest generation; `Stalled` True is a failure waiting does not heal; `Reconciling`
// True is work in progress; then its `Ready` (or, without one, `Available`) condition decides, and a
// condition that reports an older generation is not believed yet. A resource with no status at all, or
// none of these conditions, counts as current, as kstatus counts it: not every kind has a controller
// that reports (a configuration object read by one), and helmcycle cannot tell which.
import type { KubeObject } from '../../kube/types.js';
import { conditionOf, describeCondition, degraded, generationLag, healthy, progressing, statusOf } from '../conditions.js';
import type { Health } from '../types.js';

export function customResourceHealth(object: KubeObject): Health {
  if (Object.keys(statusOf(object)).length === 0) return healthy('no status: counts as current');
  const lag = generationLag(object);
  if (lag) return lag;
  const stalled = conditionOf(object, 'Stalled');
  if (stalled?.status === 'True') return degraded(describeCondition(stalled));
  const reconciling = conditionOf(object, 'Reconciling');
  if (reconciling?.status === 'True') return progressing(describeCondition(reconciling));
  const deciding = conditionOf(object, 'Ready') ?? conditionOf(object, 'Available');
  if (!deciding) return healthy('no Ready or Available condition: counts as current');
  const generation = object.metadata.generation;
  if (typeof generation === 'number' && deciding.observedGeneration !== undefined && deciding.observedGeneration < generation) {
    return progressing(`${deciding.type} reports generation ${deciding.observedGeneration}, not yet ${generation}`);
  }
  return deciding.status === 'True' ? healthy(describeCondition(deciding)) : progressing(describeCondition(deciding));
}
