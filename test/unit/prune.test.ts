// Prune through the fakes, the way the CLI runs it: planCluster for plan (and plan --out), runStack for
// apply, prepareSavedPlan for apply FILE. A multi-release helm fake and a kube fake that keeps
// resourceVersions (a replace with an old one is refused with 409, as the API server does).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { planCluster } from '../../src/cli/plan-command.js';
import { planFleet } from '../../src/cli/fleet-inspect.js';
import { runFleetCommand, type FleetCommandOptions } from '../../src/cli/fleet-command.js';
import { detailedPlanExitCode } from '../../src/cli/plan-exit.js';
import { exitCodeForError } from '../../src/cli/exit-codes.js';
import { prepareSavedPlan } from '../../src/cli/saved-plan.js';
import { KubeRequestError } from '../../src/errors.js';
import type { ReleaseRef, UninstallRequest, UpgradeRequest } from '../../src/helm/types.js';
import type { KubeObject } from '../../src/kube/types.js';
import { INVENTORY_NAMESPACE, inventoryName, parseInventory, type Inventory } from '../../src/stack/inventory.js';
import { updateInventory } from '../../src/stack/inventory-store.js';
import { reverseDependencyOrder } from '../../src/stack/prune-plan.js';
import { shownChart } from '../../src/stack/prune.js';
import { stackOrigin } from '../../src/stack/stack-origin.js';
import { resolveStack } from '../../src/stack/load.js';
import type { CommandFlags } from '../../src/stack/chart-spec-of.js';
import type { ChartPlan } from '../../src/stack/plan.js';
import { runStack } from '../../src/stack/run-stack.js';
import type { ResolvedStack, StackDefinition } from '../../src/stack/types.js';
import { FakeHelm, FakeKube, releaseInfo } from './fakes.js';

const SERVER = 'https://fake:6443';

/** Helm with many releases, by namespace/name. */
class ManyHelm extends FakeHelm {
  releases = new Map<string, ReturnType<typeof releaseInfo>>();
  uninstalled: string[] = [];
  /** Releases whose deploy fails. */
  failing = new Set<string>();
  override async upgradeInstall(request: UpgradeRequest) {
    this.calls.push('upgradeInstall');
    if (this.failing.has(request.release)) throw new Error('image pull failed');
    const key = `${request.namespace}/${request.release}`;
    const info = releaseInfo({ name: request.release, namespace: request.namespace, revision: (this.releases.get(key)?.revision ?? 0) + 1 });
    this.releases.set(key, info);
    return info;
  }
  // Optional only to fit FakeHelm's signatures, which take none; helmcycle always passes one.
  override async uninstall(request?: UninstallRequest) {
    if (!request) throw new Error('uninstall without a release');
    this.calls.push('uninstall');
    this.uninstalled.push(`${request.namespace}/${request.release}`);
    this.releases.delete(`${request.namespace}/${request.release}`);
  }
  override async status(ref?: ReleaseRef) { this.calls.push('status'); return ref ? this.releases.get(`${ref.namespace}/${ref.release}`) : undefined; }
  override async list() { return [...this.releases.values()]; }
}

/** Kube that keeps resourceVersions: a create of an existing object or a replace with an old version is a 409. */
class VersionedKube extends FakeKube {
  version = 1;
  /** Runs once before the next replace is judged: another run's write, in between. */
  beforeReplace: (() => void) | undefined;
  config = { getCurrentCluster: () => ({ server: SERVER }) };
  stamp(object: KubeObject): KubeObject {
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = String(++this.version);
    this.objects.set(FakeKube.key({ ...object, name: object.metadata.name, namespace: object.metadata.namespace }), stored);
    return structuredClone(stored);
  }
  override async createObject(object: KubeObject) {
    this.calls.push(`create:${object.kind}/${object.metadata.name}`);
    if (this.objects.has(FakeKube.key({ ...object, name: object.metadata.name, namespace: object.metadata.namespace }))) throw new KubeRequestError('AlreadyExists', 409);
    return this.stamp(object);
  }
  override async replaceObject(object: KubeObject) {
    this.calls.push(`replace:${object.kind}/${object.metadata.name}`);
    const hook = this.beforeReplace;
    this.beforeReplace = undefined;
    hook?.();
    const live = this.objects.get(FakeKube.key({ ...object, name: object.metadata.name, namespace: object.metadata.namespace }));
    if (live?.metadata.resourceVersion !== object.metadata.resourceVersion) throw new KubeRequestError('Conflict', 409);
    return this.stamp(object);
  }
}

const chart = (name: string, needs: string[] = [], namespace = 'apps') => ({ name, namespace, chart: name, repository: 'http://127.0.0.1:1', version: '1.0.0', timeoutSeconds: 1, needs });

async function stackFile(folder: string, definition: StackDefinition): Promise<ResolvedStack> {
  const file = join(folder, 'helmcycle.yaml');
  await writeFile(file, JSON.stringify(definition));
  return resolveStack(definition, { file });
}

async function folder() { return mkdtemp(join(tmpdir(), 'helmcycle-prune-')); }

function inventoryOf(kube: FakeKube, stack: string): Inventory | undefined {
  return parseInventory(kube.objects.get(`Secret/${INVENTORY_NAMESPACE}/${inventoryName(stack)}`));
}
const listed = (kube: FakeKube, stack: string) => inventoryOf(kube, stack)?.releases.map((e) => `${e.namespace}/${e.release}`);

async function apply(stack: ResolvedStack, clients: { helm: ManyHelm; kube: VersionedKube }, flags: Omit<CommandFlags, 'command'> = {}) {
  const result = await runStack(stack, { ...clients, ...flags, command: 'apply' });
  const failed = result.charts.find((c) => c.status === 'failed');
  if (failed) throw failed.error;
  return result;
}

async function plan(stack: ResolvedStack, clients: { helm: ManyHelm; kube: VersionedKube }, flags: Omit<CommandFlags, 'command'> = {}, out?: string): Promise<ChartPlan[]> {
  return planCluster(stack, { ...flags, command: 'apply' }, { clients, selection: { selectors: [], only: [] }, concurrency: 1, output: 'json', format: () => '', out, stdout: () => {}, signal: undefined });
}

const world = () => ({ helm: new ManyHelm(), kube: new VersionedKube() });
const THREE: StackDefinition = { name: 'shop', charts: [chart('db'), chart('api', ['db']), chart('web', ['api'])] };
const ONE: StackDefinition = { name: 'shop', charts: [chart('db')] };

describe('prune', () => {
  it('apply records what it deployed; plan --prune shows each removed release as delete, apply --prune uninstalls them in reverse dependency order, as planned', async () => {
    const dir = await folder();
    const clients = world();
    await apply(await stackFile(dir, THREE), clients);
    assert.deepEqual(listed(clients.kube, 'shop'), ['apps/api', 'apps/db', 'apps/web']);
    assert.deepEqual(inventoryOf(clients.kube, 'shop')!.releases.find((e) => e.release === 'web')!.needs, ['apps/api']);

    const smaller = await stackFile(dir, ONE);
    const planned = (await plan(smaller, clients, { prune: true })).filter((p) => p.prune);
    assert.deepEqual(planned.map((p) => `${p.action}: ${p.chart}: ${p.reason}`), ['delete: web: no longer in the stack', 'delete: api: no longer in the stack']);
    assert.equal(detailedPlanExitCode(planned), 2);

    const result = await apply(smaller, clients, { prune: true });
    assert.deepEqual(clients.helm.uninstalled, planned.map((p) => `${p.namespace}/${p.chart}`), 'apply removed what plan showed, in its order');
    assert.deepEqual(result.charts.map((c) => `${c.name} ${c.status}`), ['db succeeded', 'apps/web (prune) succeeded', 'apps/api (prune) succeeded']);
    assert.deepEqual(listed(clients.kube, 'shop'), ['apps/db']);
    assert.deepEqual((await plan(smaller, clients, { prune: true })).filter((p) => p.prune), [], 'nothing left to prune');
  });

  it("without --prune, plan lists the removed releases as left (not a change for --detailed-exitcode), and apply leaves them and their entries; the stack's prune: true prunes", async () => {
    const dir = await folder();
    const clients = world();
    await apply(await stackFile(dir, THREE), clients);
    const smaller = await stackFile(dir, ONE);
    const planned = (await plan(smaller, clients)).filter((p) => p.prune);
    assert.deepEqual(planned.map((p) => p.action), ['none', 'none']);
    assert.match(planned[0]!.reason, /no longer in the stack: would be pruned with --prune/);
    assert.equal(detailedPlanExitCode(planned), 0);
    await apply(smaller, clients);
    assert.deepEqual(clients.helm.uninstalled, []);
    assert.deepEqual(listed(clients.kube, 'shop'), ['apps/api', 'apps/db', 'apps/web']);
    await apply(await stackFile(dir, { ...ONE, prune: true }), clients);
    assert.deepEqual(clients.helm.uninstalled, ['apps/web', 'apps/api']);
  });

  it('never touches a release the inventory does not list, in the same namespace', async () => {
    const dir = await folder();
    const clients = world();
    clients.helm.releases.set('apps/by-hand', releaseInfo({ name: 'by-hand', namespace: 'apps' }));
    await apply(await stackFile(dir, THREE), clients);
    const smaller = await stackFile(dir, ONE);
    const planned = await plan(smaller, clients, { prune: true });
    assert.ok(!planned.some((p) => p.chart === 'by-hand'));
    await apply(smaller, clients, { prune: true });
    assert.ok(clients.helm.releases.has('apps/by-hand'));
    assert.ok(!clients.helm.uninstalled.includes('apps/by-hand'));
  });

  it("two stacks in one namespace never prune each other's releases, nor one both list", async () => {
    const clients = world();
    // Each stack keeps its folder across its edits (a stack is its name and its file: see the next describe).
    const [aDir, bDir] = [await folder(), await folder()];
    await apply(await stackFile(aDir, { name: 'a', charts: [chart('db'), chart('shared')] }), clients);
    const b = await stackFile(bDir, { name: 'b', charts: [chart('cache'), chart('shared')] });
    await apply(b, clients);
    const aSmaller = await stackFile(aDir, { name: 'a', charts: [chart('db')] });
    const planned = (await plan(aSmaller, clients, { prune: true })).filter((p) => p.prune);
    assert.deepEqual(planned.map((p) => `${p.chart}: ${p.action}: ${p.reason}`), ["shared: none: no longer in the stack; left in place: also in the inventory of stack 'b'"]);
    await apply(aSmaller, clients, { prune: true });
    assert.deepEqual(clients.helm.uninstalled, []);
    assert.deepEqual(listed(clients.kube, 'b'), ['apps/cache', 'apps/shared']);
    // b drops 'shared' too: a's inventory still lists it, so b leaves it as well.
    await apply(await stackFile(bDir, { name: 'b', charts: [chart('cache')] }), clients, { prune: true });
    assert.deepEqual(clients.helm.uninstalled, []);
  });

  it('a renamed stack is refused (exit 2) naming both names, and adopts its old inventory with --adopt-inventory', async () => {
    const dir = await folder();
    const clients = world();
    await apply(await stackFile(dir, THREE), clients);
    const renamed = await stackFile(dir, { ...THREE, name: 'store' });
    await assert.rejects(plan(renamed, clients, { prune: true }), (error: Error) => /'shop'/.test(error.message) && /'store'/.test(error.message) && exitCodeForError(error, false) === 2);
    await assert.rejects(apply(renamed, clients, { prune: true }), (error: Error) => exitCodeForError(error, false) === 2);
    assert.deepEqual([clients.helm.uninstalled, clients.helm.calls.filter((c) => c === 'upgradeInstall').length], [[], 3], 'nothing ran when refused');
    await apply(renamed, clients, { adoptInventory: true });
    assert.deepEqual(listed(clients.kube, 'store'), ['apps/api', 'apps/db', 'apps/web']);
    assert.equal(inventoryOf(clients.kube, 'shop'), undefined, "the old name's inventory is gone");
    // Adopted, its releases are the new name's to prune.
    await apply(await stackFile(dir, { ...ONE, name: 'store' }), clients, { prune: true });
    assert.deepEqual(clients.helm.uninstalled, ['apps/web', 'apps/api']);
  });

  it('destroy removes what it uninstalled from the inventory, and is not refused under a new name', async () => {
    const dir = await folder();
    const clients = world();
    await apply(await stackFile(dir, THREE), clients);
    const renamed = await runStack(await stackFile(dir, { ...THREE, name: 'store' }), { ...clients, command: 'destroy' });
    assert.equal(renamed.ok, true);
    assert.deepEqual(clients.helm.uninstalled, ['apps/web', 'apps/api', 'apps/db']);
    await runStack(await stackFile(dir, THREE), { ...clients, command: 'destroy' });
    assert.deepEqual(listed(clients.kube, 'shop'), [], "the old name's destroy finds them gone and drops them");
  });

  it('a concurrent write of the inventory (409) is read again and merged: no entry is lost', async () => {
    const clients = world();
    const meta = { stack: 'shop', file: 'helmcycle.yaml' };
    await updateInventory(clients.kube, meta, { deployed: [{ release: 'db', namespace: 'apps', chart: 'db', needs: [] }], removed: [] });
    // Between this run's read and its replace, another run of the stack records 'worker'.
    clients.kube.beforeReplace = () => {
      const live = clients.kube.objects.get(`Secret/${INVENTORY_NAMESPACE}/${inventoryName('shop')}`)!;
      const theirs = parseInventory(live)!;
      const next = { ...theirs, releases: [...theirs.releases, { release: 'worker', namespace: 'jobs', chart: 'worker', needs: [] }] };
      clients.kube.stamp({ ...live, data: { 'inventory.json': Buffer.from(JSON.stringify(next)).toString('base64') } });
    };
    await updateInventory(clients.kube, meta, { deployed: [{ release: 'web', namespace: 'apps', chart: 'web', needs: [] }], removed: [{ release: 'db', namespace: 'apps' }] });
    assert.deepEqual(listed(clients.kube, 'shop'), ['apps/web', 'jobs/worker']);
    assert.equal(clients.kube.calls.filter((c) => c.startsWith('replace:')).length, 2, 'the first replace was refused and made again');
  });

  it('a saved plan records the prune decisions and --prune; apply FILE prunes as planned, and refuses (stale) when they moved or when --prune is given again', async () => {
    const dir = await folder();
    const clients = world();
    await apply(await stackFile(dir, THREE), clients);
    const smaller = await stackFile(dir, ONE);
    const file = join(dir, 'plan.json');
    await plan(smaller, clients, { prune: true }, file);
    const load = async () => smaller;
    const connect = async () => ({ ...clients, server: SERVER });
    await assert.rejects(prepareSavedPlan(file, { given: { selector: [], only: [], prune: true }, loadStack: load, connect }), /--prune \(the plan's: with\)/);
    const prepared = await prepareSavedPlan(file, { given: { selector: [], only: [] }, loadStack: load, connect });
    assert.equal(prepared.flags.prune, true);
    assert.deepEqual(prepared.plan.prune?.map((p) => `${p.action} ${p.namespace}/${p.release}`), ['delete apps/web', 'delete apps/api']);

    // Someone uninstalls web by hand after the plan: the plan's prune decision moved.
    clients.helm.releases.delete('apps/web');
    await assert.rejects(prepareSavedPlan(file, { given: { selector: [], only: [] }, loadStack: load, connect }), (error: Error) => exitCodeForError(error, false) === 5 && /prune of apps\/web: the plan decided delete \(revision 1 deployed\), apply would now none \(not installed\)/.test(error.message));

    await plan(smaller, clients, { prune: true }, file);
    const again = await prepareSavedPlan(file, { given: { selector: [], only: [] }, loadStack: load, connect });
    await runStack(again.stack, { ...clients, ...again.flags, selection: again.selection });
    assert.deepEqual(clients.helm.uninstalled, ['apps/api']);
    assert.deepEqual(listed(clients.kube, 'shop'), ['apps/db']);
  });

  it('a removed chart whose successor failed to deploy is not pruned (a rename must not lose both)', async () => {
    const dir = await folder();
    const clients = world();
    await apply(await stackFile(dir, { name: 'shop', charts: [chart('db'), chart('web-v1')] }), clients);
    clients.helm.failing.add('web-v2');
    const result = await runStack(await stackFile(dir, { name: 'shop', charts: [chart('db'), chart('web-v2')] }), { ...clients, command: 'apply', prune: true });
    assert.deepEqual(result.charts.map((c) => `${c.name} ${c.status}`), ['db succeeded', 'web-v2 failed', 'apps/web-v1 (prune) skipped']);
    assert.deepEqual(clients.helm.uninstalled, []);
    assert.deepEqual(listed(clients.kube, 'shop'), ['apps/db', 'apps/web-v1']);
  });
});

describe('prune across a fleet', () => {
  it('keeps one inventory in each target cluster, and prunes each from its own', async () => {
    const dir = await folder();
    const worlds = new Map([['a', world()], ['b', world()]]);
    const options = (stack: ResolvedStack): Omit<FleetCommandOptions, 'flags' | 'lockTimeoutMs' | 'report'> => ({
      stack, stackFor: async () => stack, targetSelection: {}, selection: {}, kubeconfig: undefined, kubeContext: undefined, helm: undefined,
      concurrency: 1, output: 'json', debug: undefined, signal: undefined, stdout: () => {}, connect: (target) => worlds.get(target.name)!,
    });
    const targets = [{ name: 'a' }, { name: 'b' }];
    await runFleetCommand({ ...options(await stackFile(dir, { ...THREE, targets })), flags: { command: 'apply' }, lockTimeoutMs: 1000, report: undefined });
    // Target b lost its web release by hand: its inventory still lists it, its prune finds it gone.
    worlds.get('b')!.helm.releases.delete('apps/web');
    const smaller = await stackFile(dir, { ...ONE, targets });
    const { plans } = await planFleet(options(smaller), { command: 'apply', prune: true }, () => '');
    // Each target's entries in its own removal order; the targets themselves may be planned in either order.
    const entries = plans.filter((p) => p.prune).map((p) => `${p.action} ${p.chart}`);
    assert.deepEqual([entries.slice(0, 2).join(', '), entries.slice(2).join(', ')].sort(), ['delete web, delete api', 'none web, delete api']);
    await runFleetCommand({ ...options(smaller), flags: { command: 'apply', prune: true }, lockTimeoutMs: 1000, report: undefined });
    assert.deepEqual([worlds.get('a')!.helm.uninstalled, worlds.get('b')!.helm.uninstalled], [['apps/web', 'apps/api'], ['apps/api']]);
    for (const { kube } of worlds.values()) assert.deepEqual(listed(kube, 'shop'), ['apps/db']);
  });
});

describe('the inventory', () => {
  it('orders removal dependents first, from the needs recorded', () => {
    const e = (release: string, needs: string[] = []) => ({ release, namespace: 'apps', chart: release, needs: needs.map((n) => `apps/${n}`) });
    assert.deepEqual(reverseDependencyOrder([e('db'), e('api', ['db']), e('web', ['api']), e('cron', ['db'])]).map((x) => x.release), ['web', 'api', 'cron', 'db']);
  });

  it("records the stack file relative to its git work tree and the commit checked out, read from .git's files (packed refs too)", async () => {
    const root = await folder();
    await mkdir(join(root, '.git', 'refs', 'heads'), { recursive: true });
    await mkdir(join(root, 'deploy', 'prod'), { recursive: true });
    const file = join(root, 'deploy', 'prod', 'helmcycle.yaml');
    await writeFile(file, 'charts: []\n');
    const sha = 'a'.repeat(40);
    await writeFile(join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    await writeFile(join(root, '.git', 'refs', 'heads', 'main'), `${sha}\n`);
    const origin = async (f: string) => { const { file: recorded, commit } = await stackOrigin(f); return { file: recorded, commit }; };
    assert.deepEqual(await origin(file), { file: 'deploy/prod/helmcycle.yaml', commit: sha });
    await writeFile(join(root, '.git', 'HEAD'), 'ref: refs/heads/release\n');
    await writeFile(join(root, '.git', 'packed-refs'), `# pack-refs with: peeled\n${'b'.repeat(40)} refs/heads/release\n`);
    assert.deepEqual(await origin(file), { file: 'deploy/prod/helmcycle.yaml', commit: 'b'.repeat(40) });
    const outside = join(await folder(), 'helmcycle.yaml');
    assert.deepEqual(await origin(outside), { file: 'helmcycle.yaml', commit: undefined });
  });

  it('is a Secret named from the stack, labelled managed-by helmcycle, in the fixed namespace', async () => {
    const clients = world();
    await apply(await stackFile(await folder(), ONE), clients);
    const object = clients.kube.objects.get(`Secret/default/helmcycle-inventory.shop`)!;
    assert.equal(object.metadata.labels?.['app.kubernetes.io/managed-by'], 'helmcycle');
    const { identity, ...recorded } = inventoryOf(clients.kube, 'shop')!;
    assert.deepEqual(recorded, { stack: 'shop', file: 'helmcycle.yaml', releases: [{ release: 'db', namespace: 'apps', chart: 'db', needs: [] }] });
    assert.match(identity!, /^path:[0-9a-f]{64}$/, 'the stack file is known by a digest of its path, never the path');
    assert.notEqual(inventoryName('Shop_Prod'), inventoryName('shop-prod'));
    assert.match(inventoryName('Shop_Prod'), /^helmcycle-inventory\.shop-prod-[0-9a-f]{8}$/);
  });
});

describe('stack identity (the regressions of the first landing)', () => {
  it('two unrelated stacks outside git, both helmcycle.yaml and deploying the same release names, are not one renamed stack', async () => {
    const clients = world();
    await apply(await stackFile(await folder(), { name: 'first', charts: [chart('db'), chart('web')] }), clients);
    const other = await stackFile(await folder(), { name: 'second', charts: [chart('db'), chart('web')] });
    const planned = await plan(other, clients, { prune: true });
    assert.deepEqual(planned.filter((p) => p.prune), [], 'nothing of the first stack is the second\'s to prune');
    await apply(other, clients, { prune: true });
    assert.deepEqual([listed(clients.kube, 'first'), listed(clients.kube, 'second')], [['apps/db', 'apps/web'], ['apps/db', 'apps/web']], 'each keeps its own inventory');
    assert.deepEqual(clients.helm.uninstalled, []);
  });

  it("two stacks of the same name in two folders never prune each other's releases: the second neither lists, prunes nor writes the first's inventory", async () => {
    const clients = world();
    const first = await stackFile(await folder(), { name: 'platform', charts: [chart('db', [], 'team-a'), chart('web', [], 'team-a')] });
    await apply(first, clients);
    const second = await stackFile(await folder(), { name: 'platform', charts: [chart('cache', [], 'team-b')] });
    const planned = await plan(second, clients);
    assert.deepEqual(planned.filter((p) => p.prune), [], "the first stack's releases are not the second's, not even as 'would be pruned'");
    await assert.rejects(plan(second, clients, { prune: true }), (error: Error) => exitCodeForError(error, false) === 2 && /two stacks share the name 'platform'/.test(error.message));
    await assert.rejects(apply(second, clients, { prune: true }), (error: Error) => exitCodeForError(error, false) === 2);
    await apply(second, clients);
    assert.deepEqual(listed(clients.kube, 'platform'), ['team-a/db', 'team-a/web'], "the second stack's apply leaves the first's inventory as it was");
    assert.deepEqual(clients.helm.uninstalled, []);
    // The first stack still prunes its own, as before.
    await apply(await stackFile(dirname(first.file!), { name: 'platform', charts: [chart('db', [], 'team-a')] }), clients, { prune: true });
    assert.deepEqual(clients.helm.uninstalled, ['team-a/web']);
    // A stack file moved to another folder takes its inventory over only when told.
    const moved = await stackFile(await folder(), { name: 'platform', charts: [chart('db', [], 'team-a')] });
    await apply(moved, clients, { prune: true, adoptInventory: true });
    assert.deepEqual(listed(clients.kube, 'platform'), ['team-a/db']);
  });

  it('a saved plan with a prune entry named like a chart of the stack is not stale at once', async () => {
    const dir = await folder();
    const clients = world();
    await apply(await stackFile(dir, { name: 'shop', charts: [chart('web', [], 'one')] }), clients);
    // The same release name in another namespace: the inventory's one/web is a prune entry called 'web'.
    const moved = await stackFile(dir, { name: 'shop', charts: [chart('web', [], 'two')] });
    const file = join(dir, 'plan.json');
    const planned = await plan(moved, clients, {}, file);
    assert.deepEqual(planned.map((p) => `${p.chart} ${p.namespace} ${p.action}${p.prune ? ' prune' : ''}`), ['web two install', 'web one none prune']);
    const prepared = await prepareSavedPlan(file, { given: { selector: [], only: [] }, loadStack: async () => moved, connect: async () => ({ ...clients, server: SERVER }) });
    assert.equal(prepared.plan.charts[0]?.chart, 'web');
  });
});

/** A clone of a repository (its .git as git writes it: HEAD, config with a remote), holding `path`. */
async function clone(remote: string | undefined, path = 'deploy/helmcycle.yaml'): Promise<string> {
  const root = await folder();
  await mkdir(join(root, '.git', 'refs', 'heads'), { recursive: true });
  await writeFile(join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  await writeFile(join(root, '.git', 'refs', 'heads', 'main'), `${'c'.repeat(40)}\n`);
  const remoteSection = remote ? `[remote "upstream"]\n\turl = /elsewhere\n[remote "origin"]\n\turl = ${remote}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n` : '';
  await writeFile(join(root, '.git', 'config'), `[core]\n\tbare = false\n${remoteSection}[branch "main"]\n\tremote = origin\n`);
  await mkdir(join(root, path, '..'), { recursive: true });
  return join(root, path);
}

describe('stack identity', () => {
  it('in git: every clone of a repository (https with a token, or ssh) is one stack per file; another file, repository or folder is not', async () => {
    const https = await stackOrigin(await clone('https://ci:s3cr3t-token@GitHub.com/acme/deploy.git'));
    const ssh = await stackOrigin(await clone('git@github.com:acme/deploy.git'));
    assert.equal(https.identity, ssh.identity);
    assert.match(https.identity!, /^git:[0-9a-f]{64}$/, 'a digest: neither the URL (its token) nor a path is stored');
    assert.notEqual((await stackOrigin(await clone('git@github.com:acme/deploy.git', 'other/helmcycle.yaml'))).identity, https.identity);
    assert.notEqual((await stackOrigin(await clone('git@github.com:acme/platform.git'))).identity, https.identity);
    // No remote: the folder is all there is, as outside git.
    const [a, b] = [await stackOrigin(await clone(undefined)), await stackOrigin(await clone(undefined))];
    assert.match(a.identity!, /^path:/);
    assert.notEqual(a.identity, b.identity);
    assert.equal((await stackOrigin(undefined)).identity, undefined, 'a stack without a file is never anyone\'s rename');
  });

  it("a stack renamed in a clone of the same repository is refused when pruning, warned of when not, and adopted with --adopt-inventory", async () => {
    const clients = world();
    const first = await clone('https://github.com/acme/deploy');
    const second = await clone('git@github.com:acme/deploy.git');
    const at = async (file: string, definition: StackDefinition) => { await writeFile(file, JSON.stringify(definition)); return resolveStack(definition, { file }); };
    await apply(await at(first, THREE), clients);
    const renamed = await at(second, { ...THREE, name: 'store' });
    await assert.rejects(apply(renamed, clients, { prune: true }), (error: Error) => /renamed from 'shop' to 'store'/.test(error.message) && exitCodeForError(error, false) === 2);
    let printed = '';
    await planCluster(renamed, { command: 'apply' }, { clients, selection: { selectors: [], only: [] }, concurrency: 1, output: 'text', format: () => '', out: undefined, stdout: (t) => (printed += t), signal: undefined });
    assert.match(printed, /note: stack 'store' looks renamed from 'shop'.*--adopt-inventory/);
    const warned: string[] = [];
    const result = await runStack(renamed, { ...clients, command: 'apply', onEvent: (e) => { if (e.type === 'message' && e.level === 'warn') warned.push(e.message); } });
    assert.equal(result.ok, true, 'without prune the apply goes on');
    assert.ok(warned.some((m) => /looks renamed from 'shop'/.test(m)), warned.join('\n'));
    assert.deepEqual(listed(clients.kube, 'shop'), ['apps/api', 'apps/db', 'apps/web'], "the old name's inventory is left as it was");
    await apply(renamed, clients, { prune: true, adoptInventory: true });
    assert.deepEqual([clients.helm.uninstalled, inventoryOf(clients.kube, 'shop')], [[], undefined], 'adopted, nothing pruned, the old name gone');
    await apply(await at(second, { ...ONE, name: 'store' }), clients, { prune: true });
    assert.deepEqual(clients.helm.uninstalled, ['apps/web', 'apps/api']);
    assert.deepEqual([listed(clients.kube, 'store'), inventoryOf(clients.kube, 'shop')], [['apps/db'], undefined]);
  });

  it('plan notes an inventory that only looks like an old name (same file name, same releases, another folder), and leaves it', async () => {
    const clients = world();
    await apply(await stackFile(await folder(), { name: 'first', charts: [chart('db'), chart('web')] }), clients);
    let printed = '';
    const other = await stackFile(await folder(), { name: 'second', charts: [chart('db'), chart('web')] });
    await planCluster(other, { command: 'apply', prune: true }, { clients, selection: { selectors: [], only: [] }, concurrency: 1, output: 'json', format: () => '', out: undefined, stdout: (t) => (printed += t), signal: undefined });
    const notes = printed.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; message?: string }).filter((l) => l.type === 'note');
    assert.equal(notes.length, 1);
    assert.match(notes[0]!.message!, /stack 'first' .*not taken for this stack's old name/);
  });

  it("keeps what others write on the inventory object (a status key, an annotation) and fields it does not know", async () => {
    const clients = world();
    const meta = { stack: 'shop', file: 'helmcycle.yaml' };
    await updateInventory(clients.kube, meta, { deployed: [{ release: 'db', namespace: 'apps', chart: 'db', needs: [] }], removed: [] });
    const key = `Secret/${INVENTORY_NAMESPACE}/${inventoryName('shop')}`;
    const live = clients.kube.objects.get(key)!;
    const extended = { ...parseInventory(live)!, lastRun: { outcome: 'ok' } };
    clients.kube.stamp({ ...live, metadata: { ...live.metadata, annotations: { ...live.metadata.annotations, 'helmcycle.dev/last-run': 'ok' } }, data: { 'inventory.json': Buffer.from(JSON.stringify(extended)).toString('base64'), 'status.json': 'e30=' } });
    await updateInventory(clients.kube, meta, { deployed: [{ release: 'web', namespace: 'apps', chart: 'web', needs: [] }], removed: [] });
    const after = clients.kube.objects.get(key)!;
    assert.equal((after.data as Record<string, string>)['status.json'], 'e30=');
    assert.equal(after.metadata.annotations?.['helmcycle.dev/last-run'], 'ok');
    assert.deepEqual((parseInventory(after) as Inventory & { lastRun?: unknown }).lastRun, { outcome: 'ok' });
    assert.deepEqual(listed(clients.kube, 'shop'), ['apps/db', 'apps/web']);
  });
});

describe('what the inventory shows of a chart', () => {
  it('a local chart relative to the stack file, never an absolute path', () => {
    assert.equal(shownChart('/home/ana/deploy/charts/web', '/home/ana/deploy/helmcycle.yaml'), './charts/web');
    assert.equal(shownChart('/srv/shared/charts/web', '/home/ana/deploy/helmcycle.yaml'), 'web');
    assert.equal(shownChart('oci://registry.example/charts/web', '/home/ana/deploy/helmcycle.yaml'), 'oci://registry.example/charts/web');
    assert.equal(shownChart('web', undefined), 'web');
  });
});
