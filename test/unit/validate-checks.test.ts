// Which of a chart's checks run after a destroy: only those that ask to (`on: 'destroy' | 'both'`).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runChart } from '../../src/lifecycle/runner.js';
import type { ChartDefinition } from '../../src/lifecycle/types.js';
import { FakeHelm, FakeKube, releaseInfo } from './fakes.js';

const ran: string[] = [];
const check = (name: string, on?: 'deploy' | 'destroy' | 'both') => ({ name, ...(on ? { on } : {}), run: () => { ran.push(name); return `${name} failed`; } });
const base: ChartDefinition = { name: 'web', namespace: 'apps', chart: 'web', repository: 'http://127.0.0.1:1', timeoutSeconds: 1 };

describe('custom checks on destroy', () => {
  it('a check without `on` runs after a deploy only; a destroy validates that the release is gone', async () => {
    ran.length = 0;
    const helm = new FakeHelm();
    helm.current = releaseInfo({ name: 'web', namespace: 'apps', revision: 1 });
    const result = await runChart({ ...base, action: 'destroy', checks: [check('endpoints'), check('deploy-only', 'deploy')] }, { helm, kube: new FakeKube() });
    assert.deepEqual(ran, []);
    assert.deepEqual(result.payload.validate?.checks.map((c) => c.name), ['release']);
  });

  it("a check with on: 'destroy' or 'both' runs after a destroy, and its failure fails the chart", async () => {
    ran.length = 0;
    const helm = new FakeHelm();
    helm.current = releaseInfo({ name: 'web', namespace: 'apps', revision: 1 });
    await assert.rejects(runChart({ ...base, action: 'destroy', checks: [check('endpoints'), check('volumes-gone', 'destroy'), check('audit', 'both')] }, { helm, kube: new FakeKube() }), /volumes-gone: volumes-gone failed/);
    assert.deepEqual(ran, ['volumes-gone', 'audit']);
  });

  it("a deploy runs the default and 'both' checks, not the destroy ones", async () => {
    ran.length = 0;
    await assert.rejects(runChart({ ...base, remedies: { maxAttempts: 0 }, checks: [check('endpoints'), check('volumes-gone', 'destroy'), check('audit', 'both')] }, { helm: new FakeHelm(), kube: new FakeKube() }));
    assert.deepEqual(ran, ['endpoints', 'audit']);
  });
});
