// A CronJob has nothing to roll out; it is degraded when its last scheduled run did not succeed and none
// runs now (Argo CD's reading), healthy otherwise. kstatus counts every CronJob current; helmcycle
// follows Argo CD here because a schedule whose runs fail is what a deploy should not call done.
import type { KubeObject } from '../../kube/types.js';
import { degraded, healthy, statusOf } from '../conditions.js';
import type { Health } from '../types.js';

const time = (value: unknown): number | undefined => (typeof value === 'string' ? Date.parse(value) : undefined);

export function cronJobHealth(object: KubeObject): Health {
  const schedule = typeof object.spec?.schedule === 'string' ? object.spec.schedule : '?';
  if (object.spec?.suspend === true) return healthy(`suspended (schedule ${schedule})`);
  const status = statusOf(object);
  const active = Array.isArray(status.active) ? status.active.length : 0;
  if (active > 0) return healthy(`${active} run(s) in progress (schedule ${schedule})`);
  const scheduled = time(status.lastScheduleTime);
  const succeeded = time(status.lastSuccessfulTime);
  if (scheduled === undefined) return healthy(`schedule ${schedule}, not run yet`);
  if (succeeded === undefined || succeeded < scheduled) {
    return degraded(`the last run, scheduled at ${String(status.lastScheduleTime)}, did not succeed${succeeded === undefined ? ' (no run has succeeded yet)' : ` (last success ${String(status.lastSuccessfulTime)})`}`);
  }
  return healthy(`last run succeeded at ${String(status.lastSuccessfulTime)} (schedule ${schedule})`);
}
