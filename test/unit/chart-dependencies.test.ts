import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { archiveFiles } from '../../src/helm/chart-archive.js';
import { classifyDependencies, lockDigest, parseChartLock, parseDependencies, type DependencyFacts } from '../../src/helm/chart-dependencies.js';
import { readDependencyFacts } from '../../src/helm/dependency-facts.js';

// An umbrella's Chart.yaml and the Chart.lock `helm dependency update` (Helm 3.19) wrote for it: the
// digest is helm's own, so lockDigest must reproduce it byte for byte or helm refuses the lock.
const UMBRELLA = `apiVersion: v2
name: shop
version: 1.0.0
dependencies:
  - name: web
    alias: storefront
    version: "~1.0.0"
    repository: http://127.0.0.1:45565
    condition: storefront.enabled
    import-values:
      - child: service
        parent: storefrontService
  - name: shop-common
    version: 0.1.0
    repository: file://../shop-common
  - name: metrics
    version: 0.2.0
    repository: ""
    condition: metrics.enabled
    tags:
      - observability
`;
const HELM_LOCK = `dependencies:
- name: web
  repository: http://127.0.0.1:45565
  version: 1.0.0
- name: shop-common
  repository: file://../shop-common
  version: 0.1.0
- name: metrics
  repository: ""
  version: 0.2.0
digest: sha256:fed6f5262c8246fb3651700a7fbcf72fab1b6fe3687aa091114cd00ab78d6f99
generated: "2026-12-02T15:42:25.836293614Z"
`;

const dependencies = parseDependencies(UMBRELLA);
const lock = parseChartLock(HELM_LOCK)!;
const built = (overrides: Partial<DependencyFacts> = {}): DependencyFacts => ({
  dependencies,
  lock,
  packages: [
    { entry: 'web-1.0.0.tgz', name: 'web', version: '1.0.0', form: 'archive' },
    { entry: 'shop-common-0.1.0.tgz', name: 'shop-common', version: '0.1.0', form: 'archive', matchesSource: true },
    { entry: 'metrics', name: 'metrics', version: '0.2.0', form: 'folder' },
  ],
  ...overrides,
});

test('lockDigest reproduces the digest helm wrote into Chart.lock (alias, condition, tags, import-values, file:// and vendored)', () => {
  assert.equal(lockDigest(dependencies, lock.dependencies), lock.digest);
  // Any field helm hashes changes it: a version constraint edited after the lock was written.
  const edited = parseDependencies(UMBRELLA.replace('"~1.0.0"', '"~1.1.0"'));
  assert.notEqual(lockDigest(edited, lock.dependencies), lock.digest);
});

test('a charts/ folder holding what the lock asks for is current: nothing to build', () => {
  assert.deepEqual(classifyDependencies(built()), { state: 'current' });
});

test('a missing charts/ is built from the lock; the vendored subchart is never asked for', () => {
  const verdict = classifyDependencies(built({ packages: [{ entry: 'metrics', name: 'metrics', version: '0.2.0', form: 'folder' }] }));
  assert.equal(verdict.state, 'stale');
  assert.ok(verdict.state === 'stale');
  assert.equal(verdict.mode, 'build');
  assert.deepEqual(verdict.stale.map((s) => [s.dependency.name, s.reason]), [
    ['web', 'missing in charts/'],
    ['shop-common', 'missing in charts/'],
  ]);
});

test('a package of another version than the lock names is stale', () => {
  const packages = built().packages.map((p) => (p.name === 'web' ? { ...p, entry: 'web-1.1.0.tgz', version: '1.1.0' } : p));
  const verdict = classifyDependencies(built({ packages }));
  assert.ok(verdict.state === 'stale');
  assert.deepEqual(verdict.stale.map((s) => s.reason), ['charts/ holds 1.1.0, not version 1.0.0 (Chart.lock)']);
});

test('a file:// dependency edited since it was packaged is rebuilt although its version did not change', () => {
  const packages = built().packages.map((p) => (p.name === 'shop-common' ? { ...p, matchesSource: false } : p));
  const verdict = classifyDependencies(built({ packages }));
  assert.ok(verdict.state === 'stale');
  assert.equal(verdict.stale[0]?.dependency.name, 'shop-common');
  assert.match(verdict.stale[0]!.reason, /changed since it was packaged/);
});

test('without a lock, or with one out of sync with Chart.yaml, dependencies are resolved anew (update)', () => {
  const noLock = classifyDependencies(built({ lock: undefined, packages: [] }));
  assert.ok(noLock.state === 'stale');
  assert.equal(noLock.mode, 'update');
  // Chart.yaml now asks for ~1.1.0: charts/ is complete for the old lock, but the lock no longer matches.
  const edited = parseDependencies(UMBRELLA.replace('"~1.0.0"', '"~1.1.0"'));
  const outOfSync = classifyDependencies(built({ dependencies: edited }));
  assert.ok(outOfSync.state === 'stale');
  assert.equal(outOfSync.mode, 'update');
  assert.match(outOfSync.stale.map((s) => s.reason).join(' '), /not version ~1.1.0/);
});

test('without a lock, a package that satisfies the constraint counts as current', () => {
  const verdict = classifyDependencies(built({ lock: undefined }));
  assert.deepEqual(verdict, { state: 'current' });
});

test('readDependencyFacts reads packages by their own Chart.yaml and compares a file:// package with its folder', async () => {
  const root = mkdtempSync(join(tmpdir(), 'deps-facts-'));
  const common = join(root, 'common');
  mkdirSync(join(common, 'templates'), { recursive: true });
  writeFileSync(join(common, 'Chart.yaml'), 'apiVersion: v2\nname: common\ntype: library\nversion: 0.1.0\n');
  writeFileSync(join(common, 'templates', '_x.tpl'), '{{- define "x" -}}one{{- end }}\n');
  const chart = join(root, 'app');
  mkdirSync(join(chart, 'charts'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: common\n    version: 0.1.0\n    repository: file://../common\n');
  // A real package, written by tar as helm does (one top folder named after the chart).
  execFileSync('tar', ['-czf', join(chart, 'charts', 'common-0.1.0.tgz'), '-C', root, 'common']);
  const files = await archiveFiles(readFileSync(join(chart, 'charts', 'common-0.1.0.tgz')));
  assert.deepEqual([...files.keys()].sort(), ['common/Chart.yaml', 'common/templates/_x.tpl']);

  const fresh = await readDependencyFacts(chart);
  assert.deepEqual(fresh?.packages, [{ entry: 'common-0.1.0.tgz', name: 'common', version: '0.1.0', form: 'archive', matchesSource: true }]);
  assert.deepEqual(classifyDependencies(fresh!), { state: 'current' });

  writeFileSync(join(common, 'templates', '_x.tpl'), '{{- define "x" -}}two{{- end }}\n');
  const edited = await readDependencyFacts(chart);
  assert.equal(edited?.packages[0]?.matchesSource, false);
  assert.equal(classifyDependencies(edited!).state, 'stale');
});

test('a chart without dependencies has no facts to act on', async () => {
  const root = mkdtempSync(join(tmpdir(), 'deps-none-'));
  writeFileSync(join(root, 'Chart.yaml'), 'apiVersion: v2\nname: plain\nversion: 1.0.0\n');
  assert.equal(await readDependencyFacts(root), undefined);
});
