// Saved plans (plan --out, apply FILE) without a cluster: the file's format, the checks that find a plan
// stale, the fingerprints, the private file, and the per-chart guard that refuses once a release moved.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EXIT, exitCodeForError, failedRunExitCode } from '../../src/cli/exit-codes.js';
import { main } from '../../src/cli/main.js';
import { planCluster } from '../../src/cli/plan-command.js';
import { conflictingOptions, prepareSavedPlan, savePlan, serverOf } from '../../src/cli/saved-plan.js';
import { computeReleaseDigest, DIGEST_LABEL } from '../../src/lifecycle/digest.js';
import { runSettingsOf, runSpecOf, type CommandFlags } from '../../src/stack/chart-spec-of.js';
import { resolveStack } from '../../src/stack/load.js';
import { runStack } from '../../src/stack/run-stack.js';
import { StackConfigError } from '../../src/errors.js';
import { runChart } from '../../src/lifecycle/runner.js';
import { parseSavedPlan, releaseMoved, stackFileMoved, StalePlanError, staleReasons, type CurrentDecision, type SavedPlan } from '../../src/stack/plan-file.js';
import { guardedDefinition } from '../../src/stack/plan-guard.js';
import { chartInputs, newSalt, withFunctionSources } from '../../src/stack/plan-inputs.js';
import type { ChartPlan } from '../../src/stack/plan.js';
import type { ResolvedChart, ResolvedStack, StackChart } from '../../src/stack/types.js';
import { FakeHelm, FakeKube, releaseInfo } from './fakes.js';

const PASSWORD = 'correct-horse-battery';
const context = { command: 'apply' as const, forceUpgrade: false, ignoreDrift: false, salt: '00112233445566778899aabbccddeeff' };
const chartOf = (definition: StackChart): ResolvedChart => ({ name: definition.name, needs: [], definition, file: undefined });
const base: StackChart = { name: 'web', namespace: 'apps', chart: 'web', repository: 'http://127.0.0.1:1', version: '^1.0.0', timeoutSeconds: 1 };

function savedPlan(overrides: Partial<SavedPlan> = {}): SavedPlan {
  return {
    format: 'helmcycle-plan', version: 2, createdAt: '2025-01-01T00:00:00.000Z', command: 'apply',
    stack: { file: '/stack/helmcycle.yaml', digest: 'e'.repeat(64) }, selection: { selectors: [], only: [] }, flags: { forceUpgrade: false, ignoreDrift: false, failFast: false },
    cluster: { server: 'https://127.0.0.1:6443' }, salt: context.salt, configDigest: 'a'.repeat(64),
    charts: [{ chart: 'web', namespace: 'apps', action: 'upgrade', deploy: 'upgrade', reason: 'chart 1.0.0 → 1.1.0', targetVersion: '1.1.0', inputs: 'b'.repeat(64), release: { revision: 3, status: 'deployed' }, drift: [] }],
    ...overrides,
  };
}

const decisionNow = (overrides: Partial<CurrentDecision> = {}): CurrentDecision => ({ release: { revision: 3, status: 'deployed' }, action: 'upgrade', deploy: 'upgrade', drift: [], ...overrides });
const current = (overrides: Partial<Parameters<typeof staleReasons>[1]> = {}) => ({
  configDigest: 'a'.repeat(64), charts: [{ chart: 'web', inputs: 'b'.repeat(64) }], server: 'https://127.0.0.1:6443',
  decisions: new Map([['web', decisionNow()]]), ...overrides,
});

describe('plan file format', () => {
  it('reads what it writes, and names the file when it is not a plan', () => {
    const plan = savedPlan();
    assert.deepEqual(parseSavedPlan(JSON.stringify(plan), 'p.json'), plan);
    assert.throws(() => parseSavedPlan('{', 'p.json'), (e: unknown) => e instanceof StackConfigError && /^p\.json: not a plan file \(not JSON/.test(e.message));
    assert.throws(() => parseSavedPlan('{"charts":[]}', 'p.json'), /p\.json: not a plan file written by 'helmcycle plan --out'/);
    assert.throws(() => parseSavedPlan(JSON.stringify({ ...plan, version: 9 }), 'p.json'), (e: unknown) => e instanceof StackConfigError && /format version 2 expected\)\n {2}- version:/.test(e.message));
    // A field this version does not know is refused, not ignored: a plan file is read strictly.
    assert.throws(() => parseSavedPlan(JSON.stringify({ ...plan, config: { file: '/evil/helmcycle.config.ts' } }), 'p.json'), (e: unknown) => e instanceof StackConfigError && /format version 2 expected/.test(e.message));
    assert.equal(exitCodeForError(new StackConfigError('x', { file: 'p.json' }), false), EXIT.badInput);
  });
});

describe('stale plan checks', () => {
  it('holds when config, cluster and every release are as the plan saw them', () => {
    assert.deepEqual(staleReasons(savedPlan(), current()), []);
    assert.deepEqual(staleReasons(savedPlan({ charts: [{ ...savedPlan().charts[0]!, release: null }] }), current({ decisions: new Map([['web', decisionNow({ release: null })]]) })), []);
  });

  it('names the chart whose config changed, and charts that joined or left', () => {
    assert.deepEqual(staleReasons(savedPlan(), current({ configDigest: 'c'.repeat(64), charts: [{ chart: 'web', inputs: 'd'.repeat(64) }] })), [
      'the config of web changed since the plan (definition, values, values files or chart files)',
    ]);
    const reasons = staleReasons(savedPlan(), current({ configDigest: 'c'.repeat(64), charts: [{ chart: 'db', inputs: 'd'.repeat(64) }] }));
    assert.deepEqual(reasons.slice(0, 2), ['db joined the selection since the plan', 'web left the stack or the selection since the plan']);
    assert.match(staleReasons(savedPlan(), current({ configDigest: 'c'.repeat(64) }))[0]!, /the stack changed since the plan/);
  });

  it('finds a release that moved: a new revision, another status, installed or gone', () => {
    const planned = { revision: 3, status: 'deployed' };
    assert.equal(releaseMoved('web', planned, planned), undefined);
    assert.match(releaseMoved('web', planned, { revision: 4, status: 'deployed' })!, /^web: the plan saw revision 3 deployed, the release is now revision 4 deployed/);
    assert.match(releaseMoved('web', planned, { revision: 3, status: 'failed' })!, /now revision 3 failed/);
    assert.match(releaseMoved('web', null, planned)!, /the plan saw not installed, the release is now revision 3 deployed/);
    assert.match(releaseMoved('web', planned, null)!, /the release is now not installed/);
    assert.deepEqual(staleReasons(savedPlan(), current({ decisions: new Map([['web', decisionNow({ release: { revision: 4, status: 'deployed' } })]]) })).length, 1);
  });

  it('refuses another cluster', () => {
    assert.deepEqual(staleReasons(savedPlan(), current({ server: 'https://prod:6443' })), ['the plan was made against https://127.0.0.1:6443, this run talks to https://prod:6443']);
    assert.equal(serverOf({ getCurrentCluster: () => ({ server: 'https://user:pw@10.0.0.1:6443/' }) }), 'https://10.0.0.1:6443');
  });

  it('a stale plan is exit 5, alone or when every failed chart was refused for it', () => {
    const stale = new StalePlanError('p.json', ['web: moved'], 'web');
    assert.equal(exitCodeForError(stale, false), EXIT.stalePlan);
    assert.equal(EXIT.stalePlan, 5);
    assert.equal(failedRunExitCode([new Error('wrapped', { cause: stale }), stale]), 5);
    assert.equal(failedRunExitCode([stale, new Error('helm failed')]), 1);
    assert.match(stale.hint!, /nothing was changed for web; run 'helmcycle plan --out p\.json' again/);
  });

  it('apply FILE refuses an environment or selection other than the plan\'s, and any flag that changes a decision', () => {
    const plan = savedPlan();
    assert.deepEqual(conflictingOptions(plan, { selector: [], only: [] }), []);
    assert.deepEqual(conflictingOptions(plan, { env: 'prod', selector: ['tier=app'], only: ['web'], forceUpgrade: true }).length, 4);
    assert.deepEqual(conflictingOptions(plan, { selector: [], only: [], ignoreDrift: true, failFast: true, rollbackStackOnFailure: false }), [
      "--ignore-drift (the plan's: without)", "--fail-fast (the plan's: without)", "--no-rollback-stack-on-failure (the plan's: the stack's setting)",
    ]);
  });

  it('names a drift or a decision that moved since the plan', () => {
    const drifted = decisionNow({ action: 'upgrade', deploy: 'upgrade', drift: [{ resource: 'ConfigMap/apps/web', fields: ['data.message'] }] });
    const skipped = savedPlan({ charts: [{ ...savedPlan().charts[0]!, action: 'skip', deploy: 'unchanged' }] });
    assert.deepEqual(staleReasons(skipped, current({ decisions: new Map([['web', drifted]]) })), [
      'web: the plan saw no drift, the live objects now show ConfigMap/apps/web (data.message)',
      'web: the plan decided skip (unchanged), apply would now upgrade',
    ]);
  });

  it('refuses a stack file other than the one plan read, or one whose bytes changed', () => {
    assert.deepEqual(stackFileMoved(savedPlan(), { file: '/stack/helmcycle.yaml', digest: 'e'.repeat(64) }), []);
    assert.match(stackFileMoved(savedPlan(), { file: '/elsewhere/helmcycle.yaml', digest: 'e'.repeat(64) })[0]!, /made from the stack file \/stack\/helmcycle\.yaml, this run loaded \/elsewhere\/helmcycle\.yaml/);
    assert.deepEqual(stackFileMoved(savedPlan(), { file: '/stack/helmcycle.yaml', digest: 'f'.repeat(64) }), ['the stack file /stack/helmcycle.yaml changed since the plan']);
  });
});

describe('fingerprints', () => {
  it('change with a value, a values file, a sensitive value, a phase, and the salt; not otherwise', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-fp-'));
    const values = join(dir, 'values.yaml');
    await writeFile(values, 'a: 1\n');
    const definition: StackChart = { ...base, valuesFiles: [values], set: { replicas: 1 }, setSensitive: { password: PASSWORD } };
    const print = (d: StackChart, salt = context.salt) => chartInputs(chartOf(d), '1.1.0', { ...context, salt });
    const first = await print(definition);
    assert.match(first, /^[0-9a-f]{64}$/);
    assert.equal(await print(definition), first);
    assert.notEqual(await print({ ...definition, set: { replicas: 2 } }), first);
    assert.notEqual(await print({ ...definition, setSensitive: { password: `${PASSWORD}!` } }), first);
    assert.notEqual(await print(definition, newSalt()), first);
    assert.notEqual(await chartInputs(chartOf(definition), '1.2.0', context), first, 'another chart version');
    await writeFile(values, 'a: 2\n');
    assert.notEqual(await print(definition), first);
    const phase = (n: number) => ({ ...definition, lifecycle: { postExec: async (_c: unknown, p: object) => ({ ...p, n }) } }) as unknown as StackChart;
    assert.notEqual(await print(phase(1)), await print({ ...phase(1), lifecycle: { postExec: async (_c: unknown, p: object) => ({ ...p, m: 2 }) } } as unknown as StackChart));
    const f = () => 1;
    assert.deepEqual(withFunctionSources({ f, a: [1] }), { f: `function: ${String(f)}`, a: [1] });
  });
});

describe('saving and applying a plan', () => {
  async function stackIn(dir: string, setValue: string): Promise<ResolvedStack & { file: string }> {
    const values = join(dir, 'web.yaml');
    await writeFile(values, `message: ${setValue}\n`, { flag: 'a' });
    await writeFile(join(dir, 'helmcycle.yaml'), 'charts: []\n', { flag: 'a' });
    return { name: 'demo', file: join(dir, 'helmcycle.yaml'), environment: undefined, concurrency: undefined, charts: [chartOf({ ...base, valuesFiles: [values], setSensitive: { password: PASSWORD } })] };
  }
  const chartPlan: ChartPlan = {
    chart: 'web', namespace: 'apps', action: 'upgrade', reason: 'chart 1.0.0 → 1.1.0', installed: { revision: 3, status: 'deployed', chartVersion: '1.0.0' }, targetVersion: '1.1.0',
    recovery: undefined, deploy: 'upgrade', changes: [], predictions: [], providedCrds: [], unservedKinds: [],
  };

  it('writes a private file without the secret, replaces a readable one, and applies only while nothing moved', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-saved-'));
    const stack = await stackIn(dir, 'one');
    const file = join(dir, 'plan.json');
    await writeFile(file, 'old');
    await chmod(file, 0o644);
    const input = { stack, flags: { command: 'apply' as const }, selection: { selectors: [], only: [] }, server: 'https://127.0.0.1:6443', plans: [chartPlan] };
    await savePlan(file, input);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const text = await readFile(file, 'utf8');
    assert.ok(!text.includes(PASSWORD) && !text.includes(Buffer.from(PASSWORD).toString('base64').slice(0, 12)), 'no secret in the file');
    assert.equal(parseSavedPlan(text, file).charts[0]?.targetVersion, '1.1.0');

    const helm = new FakeHelm();
    const kube = new FakeKube();
    helm.current = releaseInfo({ revision: 3 });
    const prepare = (s: ResolvedStack) => prepareSavedPlan(file, { given: { selector: [], only: [] }, loadStack: async () => s, connect: async () => ({ helm, kube, server: 'https://127.0.0.1:6443' }) });
    const prepared = await prepare(stack);
    assert.deepEqual(prepared.flags, { command: 'apply', forceUpgrade: false, ignoreDrift: false, failFast: false, prune: false, adoptInventory: false });
    assert.equal(prepared.stack.charts[0]?.definition.version, '1.1.0', 'the version plan resolved is pinned');

    helm.current = releaseInfo({ revision: 4 });
    await assert.rejects(prepare(stack), (e: unknown) => e instanceof StalePlanError && /web: the plan saw revision 3 deployed, the release is now revision 4 deployed/.test(e.message));
    helm.current = releaseInfo({ revision: 3 });
    await writeFile(join(dir, 'web.yaml'), 'message: changed\n', { flag: 'a' });
    await assert.rejects(prepare(stack), (e: unknown) => e instanceof StalePlanError && /the config of web changed/.test(e.message));
    // The stack file changed (stackIn appends to it).
    await assert.rejects(prepare(await stackIn(dir, 'two')), (e: unknown) => e instanceof StalePlanError && /the stack file .* changed since the plan/.test(e.message));
  });

  it('refuses to write a plan whose text would hold a sensitive value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-saved-'));
    const file = join(dir, 'plan.json');
    const input = { stack: await stackIn(dir, 'one'), flags: { command: 'apply' as const }, selection: { selectors: [], only: [] }, server: 'https://127.0.0.1:6443' };
    await assert.rejects(savePlan(file, { ...input, plans: [{ ...chartPlan, reason: `password ${PASSWORD}` }] }), /refusing to write a plan file that would hold a sensitive value/);
    await assert.rejects(stat(file), { code: 'ENOENT' });
  });

  it('a guarded chart refuses in preExec, changing nothing, when its release moved after the up-front check', async () => {
    const helm = new FakeHelm();
    const kube = new FakeKube();
    helm.chartVersion = '1.1.0';
    helm.current = releaseInfo({ revision: 4 });
    const saved = savedPlan().charts[0]!;
    const settings = { command: 'apply' as const, forceUpgrade: false, ignoreDrift: false };
    const definition = guardedDefinition(chartOf(base), saved, { command: 'apply' }, settings, 'p.json');
    assert.equal(definition.version, '1.1.0');
    assert.equal(guardedDefinition(chartOf({ ...base, repository: undefined, chart: './charts/web' }), saved, { command: 'apply' }, settings, 'p.json').version, '^1.0.0', 'a local chart is not pinned');
    await assert.rejects(runChart(definition, { helm, kube }), (e: unknown) => failedRunExitCode([e]) === EXIT.stalePlan && /the saved plan is stale/.test((e as Error).message));
    assert.ok(!helm.calls.includes('upgradeInstall'), 'nothing was deployed');

    helm.current = releaseInfo({ revision: 3 });
    const applied = await runChart(definition, { helm, kube });
    assert.equal(applied.outcome, 'upgraded');
    assert.equal(helm.upgradeRequests[0]?.source.version, '1.1.0');
  });
});

describe('apply FILE through the CLI: a plan file is data', () => {
  async function setup() {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-plan-data-'));
    await writeFile(join(dir, 'helmcycle.yaml'), 'name: demo\ncharts:\n  - name: web\n    chart: web\n    repository: http://127.0.0.1:1\n');
    // Code nobody asked to run: loading it leaves a marker.
    const evil = join(dir, 'elsewhere', 'helmcycle.config.ts');
    const marker = join(dir, 'marker');
    await mkdir(join(dir, 'elsewhere'));
    await writeFile(evil, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default { charts: [] };\n`);
    let stderr = '';
    const run = (...argv: string[]) => main(argv, { stdout: () => {}, stderr: (t) => (stderr += t), interactive: false, cwd: dir });
    return { dir, evil, marker, run, stderr: () => stderr };
  }

  it("never loads the stack the plan file names: an edited stack path is refused (exit 5), the config it names never runs", async () => {
    const { dir, evil, marker, run, stderr } = await setup();
    const file = join(dir, 'p.json');
    await writeFile(file, JSON.stringify(savedPlan({ stack: { file: evil, digest: 'e'.repeat(64) } })));
    assert.equal(await run('apply', file), EXIT.stalePlan);
    assert.match(stderr(), new RegExp(`the plan was made from the stack file ${evil.replace(/[.]/g, '\\.')}, this run loaded ${join(dir, 'helmcycle.yaml').replace(/[.]/g, '\\.')}`));
    await assert.rejects(stat(marker), { code: 'ENOENT' }, 'the TS config the plan named was not loaded');
    // The same in the format before this one, whose config.file apply used to load.
    const old = { ...savedPlan(), version: 1, config: { file: evil, selectors: [], only: [], forceUpgrade: false } };
    await writeFile(file, JSON.stringify(old));
    assert.equal(await run('apply', file), EXIT.badInput);
    await assert.rejects(stat(marker), { code: 'ENOENT' });
  });

  it('refuses a flag that changes a decision (exit 2), naming what the plan recorded', async () => {
    const { dir, run, stderr } = await setup();
    const file = join(dir, 'p.json');
    await writeFile(file, JSON.stringify(savedPlan({ stack: { file: join(dir, 'helmcycle.yaml'), digest: 'e'.repeat(64) } })));
    assert.equal(await run('apply', file, '--ignore-drift'), EXIT.badInput);
    assert.match(stderr(), /applies the plan's own environment, selection and flags; drop --ignore-drift \(the plan's: without\)/);
    assert.equal(await run('apply', file, '--rollback-stack-on-failure'), EXIT.badInput);
    assert.match(stderr(), /drop --rollback-stack-on-failure \(the plan's: the stack's setting\)/);
  });
});

describe('apply FILE after the live objects moved', () => {
  const MANIFEST = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  message: hello\n';
  async function world() {
    const dir = await mkdtemp(join(tmpdir(), 'helmcycle-plan-drift-'));
    const file = join(dir, 'helmcycle.yaml');
    const definition = { name: 'demo', charts: [{ name: 'web', namespace: 'apps', chart: 'web', repository: 'http://127.0.0.1:1', version: '1.0.0', timeoutSeconds: 1 }] };
    await writeFile(file, JSON.stringify(definition));
    const stack = resolveStack(definition, { file });
    const helm = new FakeHelm();
    const kube = Object.assign(new FakeKube(), { config: { getCurrentCluster: () => ({ server: 'https://fake:6443' }) } });
    helm.manifest = MANIFEST;
    const digest = await computeReleaseDigest(runSpecOf(stack.charts[0]!, { command: 'apply' }), '1.0.0');
    helm.current = releaseInfo({ revision: 1, labels: { [DIGEST_LABEL]: digest } });
    const live = (message: string) => kube.objects.set('ConfigMap/apps/web', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web', namespace: 'apps' }, data: { message } });
    live('hello');
    const planFile = join(dir, 'p.json');
    const plan = (flags: Omit<CommandFlags, 'command'> = {}) => planCluster(stack, { command: 'apply', ...flags }, { clients: { helm, kube }, selection: { selectors: [], only: [] }, concurrency: 1, output: 'json', format: () => '', out: planFile, stdout: () => {}, signal: undefined });
    const prepare = () => prepareSavedPlan(planFile, { given: { selector: [], only: [] }, loadStack: async () => stack, connect: async () => ({ helm, kube, server: 'https://fake:6443' }) });
    return { helm, kube, live, plan, prepare };
  }

  it('refuses (exit 5, nothing changed) when drift appeared after a plan that saw none, naming the drift and the decision', async () => {
    const { helm, live, plan, prepare } = await world();
    assert.equal((await plan())[0]?.action, 'skip');
    live('edited by hand');
    await assert.rejects(prepare(), (e: unknown) => exitCodeForError(e, false) === EXIT.stalePlan
      && /web: the plan saw no drift, the live objects now show ConfigMap\/apps\/web \(data\.message\)/.test((e as Error).message)
      && /web: the plan decided skip \(unchanged\), apply would now upgrade/.test((e as Error).message));
    assert.ok(!helm.calls.includes('upgradeInstall'));
  });

  it("runs with the flags plan recorded, --rollback-stack-on-failure and --fail-fast included", async () => {
    const { plan, prepare } = await world();
    await plan({ rollbackStackOnFailure: true, failFast: true, ignoreDrift: true });
    const prepared = await prepare();
    assert.deepEqual(prepared.flags, { command: 'apply', forceUpgrade: false, ignoreDrift: true, failFast: true, rollbackStackOnFailure: true, prune: false, adoptInventory: false });
    assert.deepEqual(runSettingsOf(prepared.stack, prepared.flags), { command: 'apply', forceUpgrade: false, ignoreDrift: true, rollbackStackOnFailure: true, failFast: true, prune: false, adoptInventory: false });
  });

  it('a chart refuses in its turn when drift appears after the up-front check', async () => {
    const { helm, kube, live, plan, prepare } = await world();
    await plan();
    const prepared = await prepare();
    live('edited by hand');
    const result = await runStack(prepared.stack, { helm, kube, ...prepared.flags, selection: prepared.selection });
    assert.equal(failedRunExitCode(result.charts.map((c) => c.error)), EXIT.stalePlan);
    assert.match(String((result.charts[0]?.error as Error).message), /the plan saw no drift, the live objects now show ConfigMap\/apps\/web/);
    assert.ok(!helm.calls.includes('upgradeInstall'), 'nothing was deployed');
  });
});
