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
