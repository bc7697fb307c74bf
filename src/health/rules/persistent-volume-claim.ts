// A PersistentVolumeClaim is healthy once Bound; Lost (its volume is gone) does not heal by waiting;
// Pending waits for a provisioner or a matching volume (Argo CD's and kstatus' rule).
import type { KubeObject } from '../../kube/types.js';
import { degraded, healthy, progressing, statusOf } from '../conditions.js';
import type { Health } from '../types.js';

export function persistentVolumeClaimHealth(object: KubeObject): Health {
  const phase = statusOf(object).phase;
  const volume = typeof object.spec?.volumeName === 'string' ? object.spec.volumeName : undefined;
  if (phase === 'Bound') return healthy(`bound${volume ? ` to PersistentVolume ${volume}` : ''}`);
  if (phase === 'Lost') return degraded(`Lost: its PersistentVolume${volume ? ` ${volume}` : ''} no longer exists`);
  const storageClass = typeof object.spec?.storageClassName === 'string' ? `storage class ${object.spec.storageClassName}` : 'no storage class';
  return progressing(`${typeof phase === 'string' ? phase : 'Pending'}: no volume bound yet (${storageClass}; is there a provisioner for it?)`);
}
