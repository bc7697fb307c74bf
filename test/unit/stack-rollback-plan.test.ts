import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGraph } from '../../src/stack/graph.js';
import { decideRollbackStep, describeRollbackStep, rollbackOrder, type RollbackFacts } from '../../src/stack/stack-rollback-plan.js';

const base: RollbackFacts = {
  chart: 'web',
  namespace: 'apps',
  recorded: { revision: 1, status: 'deployed' },
  madeByRun: { revision: 2, status: 'deployed' },
  current: { revision: 2, status: 'deployed', description: 'Upgrade complete' },
  historyRevisions: [1, 2],
};

test('a release this run upgraded is rolled back to the recorded revision', () => {
  assert.deepEqual(decideRollbackStep(base), { kind: 'rollback', chart: 'web', namespace: 'apps', from: 2, to: 1 });
});

test('a release this run installed is uninstalled', () => {
  const step = decideRollbackStep({ ...base, recorded: undefined, madeByRun: { revision: 1, status: 'deployed' }, current: { revision: 1, status: 'deployed', description: 'Install complete' }, historyRevisions: [1] });
  assert.deepEqual(step, { kind: 'uninstall', chart: 'web', namespace: 'apps', revision: 1 });
});

test('a release this run did not change is left alone', () => {
  const step = decideRollbackStep({ ...base, madeByRun: undefined, current: { revision: 1, status: 'deployed', description: undefined } });
  assert.deepEqual(step, { kind: 'leave', chart: 'web', namespace: 'apps', reason: 'this run did not change it' });
});

test('a release another run changed since is left alone, with both revisions named', () => {
  const step = decideRollbackStep({ ...base, current: { revision: 3, status: 'deployed', description: 'Upgrade complete' } });
  assert.equal(step.kind, 'leave');
  assert.match(describeRollbackStep(step), /this run left revision 2, it is now revision 3 deployed/);
});

test('a failed chart its remedy already rolled back is left alone; one left failed is rolled back', () => {
  const rolledBack = decideRollbackStep({ ...base, madeByRun: { revision: 3, status: 'deployed' }, current: { revision: 3, status: 'deployed', description: 'Rollback to 1' }, historyRevisions: [1, 2, 3] });
  assert.deepEqual(rolledBack, { kind: 'leave', chart: 'web', namespace: 'apps', reason: 'already back at revision 1 (its remedy rolled it back)' });
  const failed = decideRollbackStep({ ...base, current: { revision: 2, status: 'failed', description: 'Upgrade "web" failed' } });
  assert.deepEqual(failed, { kind: 'rollback', chart: 'web', namespace: 'apps', from: 2, to: 1 });
});

test('a recorded revision no longer in the history is not rolled back to', () => {
  const step = decideRollbackStep({ ...base, historyRevisions: [2] });
  assert.equal(step.kind, 'leave');
});

test('charts are put back in reverse dependency order, only those that ran', () => {
  const graph = buildGraph([
    { name: 'db', needs: [] },
    { name: 'cache', needs: [] },
    { name: 'app', needs: ['db', 'cache'] },
    { name: 'extra', needs: ['app'] },
  ]);
  assert.deepEqual(rollbackOrder(graph, new Set(['db', 'cache', 'app'])), ['app', 'cache', 'db']);
});
