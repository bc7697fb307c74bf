// `helmcycle status`: its exit code and the line that says why.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXIT, statusExitCode } from '../../src/cli/exit-codes.js';
import { formatStatus } from '../../src/cli/format.js';
import type { ChartStatus } from '../../src/stack/inspect.js';

const row = (chart: string, health: ChartStatus['health']): ChartStatus => ({
  chart, namespace: 'apps', health, unready: health === 'degraded' ? ['Deployment/web: 0/1 ready'] : [],
  ...(health === 'not-installed' ? { revision: undefined, status: 'not installed', chartVersion: undefined } : { revision: 1, status: 'deployed', chartVersion: '1.0.0' }),
});

describe('status', () => {
  it('exits 0 when all are ready, 1 when any is degraded, 3 when the rest are only not installed', () => {
    assert.equal(statusExitCode([row('a', 'ready'), row('b', 'ready')]), EXIT.ok);
    assert.equal(statusExitCode([row('a', 'ready'), row('b', 'not-installed')]), 3);
    assert.equal(statusExitCode([row('a', 'not-installed'), row('b', 'not-installed')]), 3);
    assert.equal(statusExitCode([row('a', 'degraded'), row('b', 'not-installed')]), EXIT.chartFailed);
  });

  it('says per chart that it is not installed, and sums up', () => {
    const text = formatStatus([row('web', 'ready'), row('db', 'not-installed'), row('cache', 'not-installed')]);
    assert.match(text, /^db +apps +- +not installed +- +not-installed$/m);
    assert.match(text, /^status: 1 ready, 0 degraded, 2 not installed \(db, cache: apply installs them\)$/m);
  });
});
