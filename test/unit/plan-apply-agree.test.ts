// Plan and apply of the same stack, through the fakes, along the paths the CLI takes: the single-cluster
// plan (cli/plan-command.ts) against runStack, a saved plan (plan --out, then apply FILE's check and
// run), and the fleet (planFleet against runFleetCommand). For every case of the table, plan's decision
// must be what apply does: with and without drift, ignoreDrift from the stack and from the flag,
// --force-upgrade, a changed spec, nothing installed, and destroy.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { planFleet } from '../../src/cli/fleet-inspect.js';
import { runFleetCommand, type FleetCommandOptions } from '../../src/cli/fleet-command.js';
import { planCluster } from '../../src/cli/plan-command.js';
import { prepareSavedPlan } from '../../src/cli/saved-plan.js';
import { computeReleaseDigest, DIGEST_LABEL } from '../../src/lifecycle/digest.js';
import { runDefinitionOf, runSettingsOf, runSpecOf, type CommandFlags } from '../../src/stack/chart-spec-of.js';
import { resolveStack } from '../../src/stack/load.js';
import type { ChartPlan } from '../../src/stack/plan.js';
import { runStack } from '../../src/stack/run-stack.js';
import type { ResolvedStack, StackDefinition } from '../../src/stack/types.js';
import { FakeHelm, FakeKube, releaseInfo } from './fakes.js';

const MANIFEST = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  message: hello\n';
const CHART = { name: 'web', namespace: 'apps', chart: 'web', repository: 'http://127.0.0.1:1', version: '1.0.0', timeoutSeconds: 1 };
const SERVER = 'https://fake:6443';

type Release = 'absent' | 'in-sync' | 'out-of-sync';
interface Case {
  name: string;
  release: Release;
  /** A hand edit of the live ConfigMap since the release was deployed. */
  drifted: boolean;
  stack?: Partial<StackDefinition>;
  flags: CommandFlags & { command: 'apply' | 'destroy' };
  /** What plan shows (action) and apply does (outcome): the two must agree, and be this. */
  want: [string, string];
}

const CASES: Case[] = [
  { name: 'unchanged', release: 'in-sync', drifted: false, flags: { command: 'apply' }, want: ['skip', 'unchanged'] },
  { name: 'unchanged with drift', release: 'in-sync', drifted: true, flags: { command: 'apply' }, want: ['upgrade', 'upgraded'] },
  { name: "drift, the stack's ignoreDrift", release: 'in-sync', drifted: true, stack: { ignoreDrift: true }, flags: { command: 'apply' }, want: ['skip', 'unchanged'] },
  { name: 'drift, --ignore-drift', release: 'in-sync', drifted: true, flags: { command: 'apply', ignoreDrift: true }, want: ['skip', 'unchanged'] },
  { name: 'drift, --force-upgrade', release: 'in-sync', drifted: true, flags: { command: 'apply', forceUpgrade: true }, want: ['upgrade', 'upgraded'] },
  { name: 'spec changed, with drift', release: 'out-of-sync', drifted: true, flags: { command: 'apply' }, want: ['upgrade', 'upgraded'] },
  { name: 'not installed', release: 'absent', drifted: false, flags: { command: 'apply' }, want: ['install', 'installed'] },
  { name: 'destroy, installed and drifted', release: 'in-sync', drifted: true, flags: { command: 'destroy' }, want: ['delete', 'uninstalled'] },
  { name: 'destroy, not installed', release: 'absent', drifted: false, flags: { command: 'destroy' }, want: ['none', 'absent'] },
];

/** The stack of a case, in a file of its own (a saved plan records the file's path and bytes). */
async function stackOf(c: Case, extra: Partial<StackDefinition> = {}): Promise<ResolvedStack> {
  const definition: StackDefinition = { name: 'agree', charts: [CHART], ...c.stack, ...extra };
  const file = join(await mkdtemp(join(tmpdir(), 'helmcycle-agree-')), 'helmcycle.yaml');
  await writeFile(file, JSON.stringify(definition));
  return resolveStack(definition, { file });
}

/** One cluster as a case finds it. */
async function world(c: Case, stack: ResolvedStack) {
  const helm = new FakeHelm();
  const kube = Object.assign(new FakeKube(), { config: { getCurrentCluster: () => ({ server: SERVER }) } });
  helm.manifest = MANIFEST;
  helm.dryRunManifest = MANIFEST;
  const digest = await computeReleaseDigest(runSpecOf(stack.charts[0]!, { command: 'apply' }), '1.0.0');
  if (c.release !== 'absent') helm.current = releaseInfo({ revision: 1, ...(c.release === 'in-sync' ? { labels: { [DIGEST_LABEL]: digest } } : {}) });
  if (c.release !== 'absent') kube.objects.set('ConfigMap/apps/web', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web', namespace: 'apps' }, data: { message: c.drifted ? 'edited' : 'hello' } });
  return { helm, kube };
}

const OUTCOMES: Record<string, string> = { install: 'installed', upgrade: 'upgraded', reinstall: 'reinstalled', skip: 'skipped', unchanged: 'unchanged', restore: 'restored' };
/** What apply must do for a plan. */
const promised = (plan: ChartPlan) => (plan.deploy ? OUTCOMES[plan.deploy] : plan.action === 'delete' ? 'uninstalled' : 'absent');

async function plan(c: Case, stack: ResolvedStack, clients: Awaited<ReturnType<typeof world>>, out?: string): Promise<ChartPlan> {
  const plans = await planCluster(stack, c.flags, { clients, selection: { selectors: [], only: [] }, concurrency: 1, output: 'json', format: () => '', out, stdout: () => {}, signal: undefined });
  return plans[0]!;
}

async function apply(stack: ResolvedStack, clients: Awaited<ReturnType<typeof world>>, flags: CommandFlags, selection = {}) {
  const result = await runStack(stack, { ...clients, ...flags, selection });
  const record = result.charts[0]!;
  if (record.status === 'failed') throw record.error;
  return record.result?.outcome;
}

describe('the run settings, folded once', () => {
  it("folds the stack's settings and the command's flags: drift ignored by either, the command line's rollback choice first, only apply rolls back", () => {
    const none = { ignoreDrift: undefined, rollbackStackOnFailure: undefined };
    assert.deepEqual(runSettingsOf(none, { command: 'apply' }), { command: 'apply', forceUpgrade: false, ignoreDrift: false, rollbackStackOnFailure: false, failFast: false, prune: false, adoptInventory: false });
    assert.equal(runSettingsOf({ ...none, ignoreDrift: true }, { command: 'apply' }).ignoreDrift, true);
    assert.equal(runSettingsOf(none, { command: 'apply', ignoreDrift: true }).ignoreDrift, true);
    assert.equal(runSettingsOf({ ...none, rollbackStackOnFailure: true }, { command: 'apply', rollbackStackOnFailure: false }).rollbackStackOnFailure, false);
    assert.equal(runSettingsOf({ ...none, rollbackStackOnFailure: true }, { command: 'apply' }).rollbackStackOnFailure, true);
    assert.equal(runSettingsOf({ ...none, rollbackStackOnFailure: true }, { command: 'destroy' }).rollbackStackOnFailure, false);
  });

  it('lays them on a chart: ignoreDrift, skipUnchanged unless --force-upgrade, destroy as its action', () => {
    const chart = { name: 'web', needs: [], definition: { name: 'web', chart: 'web' }, file: undefined };
    assert.deepEqual(runDefinitionOf(chart, { command: 'apply', ignoreDrift: true }), { name: 'web', chart: 'web', ignoreDrift: true, skipUnchanged: true });
    assert.deepEqual(runDefinitionOf(chart, { command: 'apply', forceUpgrade: true }), { name: 'web', chart: 'web', skipUnchanged: false });
    assert.deepEqual(runDefinitionOf(chart, { command: 'destroy' }), { name: 'web', chart: 'web', action: 'destroy' });
    assert.deepEqual(runDefinitionOf(chart, { command: 'validate' }), { name: 'web', chart: 'web' });
  });
});

describe('plan and apply of one stack agree, for every case', () => {
  it('on one cluster', async () => {
    const got: string[] = [];
    for (const c of CASES) {
      const stack = await stackOf(c);
      const clients = await world(c, stack);
      const planned = await plan(c, stack, clients);
      const outcome = await apply(stack, clients, c.flags);
      got.push(`${c.name}: plan ${planned.action}, apply ${outcome}`);
      assert.equal(outcome, promised(planned), `${c.name}: plan promised ${promised(planned)} (${planned.reason})`);
    }
    assert.deepEqual(got, CASES.map((c) => `${c.name}: plan ${c.want[0]}, apply ${c.want[1]}`));
  });

  it('through a saved plan: apply FILE runs with the flags plan recorded, and does what the plan showed', async () => {
    for (const c of CASES) {
      const stack = await stackOf(c);
      const clients = await world(c, stack);
      const file = join(stack.file!, '..', 'plan.json');
      const planned = await plan(c, stack, clients, file);
      // apply FILE: no flag given; the stack loaded from the command line, the same file plan read.
      const prepared = await prepareSavedPlan(file, { given: { selector: [], only: [] }, loadStack: async () => stack, connect: async () => ({ ...clients, server: SERVER }) });
      const outcome = await apply(prepared.stack, clients, prepared.flags, prepared.selection);
      assert.deepEqual([planned.action, outcome], c.want, c.name);
    }
  });

  it('across a fleet: each target plans with the flags and the stack setting its apply folds', async () => {
    for (const c of CASES) {
      const stack = await stackOf(c, { targets: [{ name: 'a' }, { name: 'b' }] });
      const worlds = new Map([['a', await world(c, stack)], ['b', await world(c, stack)]]);
      const options: Omit<FleetCommandOptions, 'flags' | 'lockTimeoutMs' | 'report'> = {
        stack, stackFor: async () => stack, targetSelection: {}, selection: {}, kubeconfig: undefined, kubeContext: undefined, helm: undefined,
        concurrency: 1, output: 'json', debug: undefined, signal: undefined, stdout: () => {}, connect: (target) => worlds.get(target.name)!,
      };
      const { plans } = await planFleet(options, c.flags, () => '');
      assert.deepEqual(plans.map((p) => p.action), [c.want[0], c.want[0]], `${c.name}: plan`);
      await runFleetCommand({ ...options, flags: c.flags, lockTimeoutMs: 1000, report: undefined });
      for (const [name, { helm }] of worlds) {
        const did = helm.calls.includes('uninstall') ? 'uninstalled' : helm.calls.includes('upgradeInstall') ? (c.release === 'absent' ? 'installed' : 'upgraded') : c.flags.command === 'destroy' ? 'absent' : 'unchanged';
        assert.equal(did, c.want[1], `${c.name}: apply on ${name}`);
      }
    }
  });
});
