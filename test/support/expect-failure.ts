// For unit and e2e tests alike: awaits a chart run that must fail, and returns its ChartFailedError.
import assert from 'node:assert/strict';
import { ChartFailedError } from '../../src/lifecycle/chart-error.js';

export async function expectChartFailure(promise: Promise<unknown>): Promise<ChartFailedError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ChartFailedError, `expected ChartFailedError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the chart to fail');
}

/** Runs `fn`, which must throw an error of `type`, and returns that error. */
export function thrown<T>(fn: () => unknown, type: abstract new (...args: never[]) => T): T {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${type.name}`);
}
