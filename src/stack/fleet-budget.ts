// The failure budget: how many targets may fail before the run stops starting new ones. A count
// (`failureBudget: 1`) or a percent of the targets selected (`failureBudget: 10%`). Pure.
import type { FailureBudget } from './fleet-targets.js';

/** `2` → a count; `'25%'` → a percent. Returns undefined for anything else (the schema reports it). */
export function parseBudget(value: number | string): FailureBudget | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? { count: value } : undefined;
  const match = /^(\d+(?:\.\d+)?)%$/.exec(value.trim());
  if (!match) return undefined;
  const percent = Number(match[1]);
  return percent <= 100 ? { percent } : undefined;
}

/** How many failed targets the budget allows, out of `total` selected. */
export function allowedFailures(budget: FailureBudget, total: number): number {
  return 'count' in budget ? budget.count : Math.floor((budget.percent / 100) * total);
}

/** The budget is exceeded once more targets failed than it allows. */
export function budgetExceeded(budget: FailureBudget, failed: number, total: number): boolean {
  return failed > allowedFailures(budget, total);
}
