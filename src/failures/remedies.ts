// The remedy policy: which remedy a classified failure gets (the chart's policy over the defaults
// below), how many attempts it has, and whether exec runs again after it. All pure; taking a remedy is
// a lifecycle action (lifecycle/actions/remedy.ts).
import type { ChartSpec } from '../config/chart-spec.js';
import type { FailureClass, Remedy } from '../config/failure-classes.js';
import type { FailureReport } from './classify.js';

/** What helmcycle does for each class unless the chart's policy says otherwise. Pure. */
export function defaultRemedy(failureClass: FailureClass, spec: Pick<ChartSpec, 'crds' | 'remedies'>): Remedy {
  switch (failureClass) {
    case 'stuck-release':
      return 'unlock-retry';
    case 'concurrent-install':
    // helm's wait lost the race, not the chart: the same action again (exec decides afresh: over a first
    // install left failed, helm's upgrade --install upgrades from that failed revision).
    case 'helm-wait-race':
      return 'retry';
    case 'immutable-field':
      return 'recreate-retry';
    case 'ownership-conflict':
      return spec.remedies.allowAdoption ? 'adopt-retry' : 'none';
    case 'missing-crd':
      return spec.crds ? 'apply-crds-retry' : 'none';
    case 'removed-api-in-release':
      return 'rewrite-release-apis-retry';
    case 'readiness-timeout':
    case 'readiness-failed':
    case 'unhealthy-resource':
    // The new revision deployed but does not work as its own tests define working: back to the last good one.
    case 'chart-test-failed':
      return 'rollback';
    default:
      // Hooks, admission, quota, RBAC and values fail the same way again: a person must change something.
      return 'none';
  }
}

export interface RemedyChoice {
  remedy: Remedy;
  /** Why, in words (the policy, the default, or why a wanted remedy is not allowed). */
  reason: string;
}

/** The chart's policy for the class, else the default; adoption only where the chart allowed it. Pure. */
export function chooseRemedy(failure: FailureReport, spec: Pick<ChartSpec, 'crds' | 'remedies'>): RemedyChoice {
  const configured = spec.remedies.policy[failure.class];
  const remedy = configured ?? defaultRemedy(failure.class, spec);
  if (remedy === 'adopt-retry' && !spec.remedies.allowAdoption) {
    return { remedy: 'none', reason: 'adopting needs remedies.allowAdoption: true for this chart' };
  }
  return { remedy, reason: configured ? 'the chart policy' : 'the default for this class' };
}

/**
 * Classes whose remedy has a budget of its own, apart from remedies.maxAttempts: a failure helm's wait
 * causes says nothing about the chart, so it is retried up to this many times (and takes none of the
 * attempts the chart's own failures get). maxAttempts 0 still turns every remedy off.
 */
export const OWN_RETRY_BUDGET: Readonly<Partial<Record<FailureClass, number>>> = { 'helm-wait-race': 2 };

/** The remedies already taken in this deploy, as the payload records them. */
type Taken = readonly { failureClass: FailureClass }[];

/** How many attempts a class has in all: its own budget, or the chart's maxAttempts. Pure. */
export function attemptBudget(failureClass: FailureClass, spec: Pick<ChartSpec, 'remedies'>): number {
  const max = spec.remedies.maxAttempts;
  return max === 0 ? 0 : (OWN_RETRY_BUDGET[failureClass] ?? max);
}

/** How many more remedies this failure's class may take, given those already taken. Pure. */
export function attemptsLeft(failureClass: FailureClass, taken: Taken, spec: Pick<ChartSpec, 'remedies'>): number {
  const ownBudget = (c: FailureClass) => OWN_RETRY_BUDGET[c] !== undefined;
  const counted = ownBudget(failureClass) ? taken.filter((t) => t.failureClass === failureClass) : taken.filter((t) => !ownBudget(t.failureClass));
  return attemptBudget(failureClass, spec) - counted.length;
}

/** Whether taking the remedy means running exec again. Pure. */
export function retriesAfter(remedy: Remedy): boolean {
  return remedy.endsWith('-retry') || remedy === 'retry';
}
