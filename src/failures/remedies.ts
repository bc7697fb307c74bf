// Choosing and taking a remedy for a classified failure. The choice is pure (the chart's policy over the
// defaults below); taking it changes the cluster and says whether exec should run again.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChartSpec } from '../config/chart-spec.js';
import { CLUSTER_SCOPED_KINDS, parseManifest } from '../kube/manifest.js';
import type { ObjectRef } from '../kube/types.js';
import { adoptResources } from '../toolkit/ownership.js';
import { restoreBackup } from '../toolkit/backup.js';
import { applyReleaseCrds } from '../lifecycle/declared-crds.js';
import { recoverStuckRelease } from '../lifecycle/recovery.js';
import { releaseRef, templateRequest } from '../lifecycle/requests.js';
import { postRendererFor } from '../lifecycle/transform.js';
import type { ChartPayload, PhaseContext } from '../lifecycle/types.js';
import type { FailureClass, Remedy } from './classes.js';
import type { FailureReport, MentionedObject } from './classify.js';
import { rewriteReleaseApis } from '../upgrade/rewrite-release-apis.js';

/** What helmcycle does for each class unless the chart's policy says otherwise. Pure. */
export function defaultRemedy(failureClass: FailureClass, spec: Pick<ChartSpec, 'crds' | 'remedies'>): Remedy {
  switch (failureClass) {
    case 'stuck-release':
      return 'unlock-retry';
    case 'concurrent-install':
    // helm's wait lost the race, not the chart: the same action again (exec decides afresh: over a first
    // install left failed, helm's upgrade --install upgrades from that failed revision).
    case 'helm-wait-race':
      return 'retry';
    case 'immutable-field':
      return 'recreate-retry';
    case 'ownership-conflict':
      return spec.remedies.allowAdoption ? 'adopt-retry' : 'none';
    case 'missing-crd':
      return spec.crds ? 'apply-crds-retry' : 'none';
    case 'removed-api-in-release':
      return 'rewrite-release-apis-retry';
    case 'readiness-timeout':
    case 'readiness-failed':
    case 'unhealthy-resource':
    // The new revision deployed but does not work as its own tests define working: back to the last good one.
    case 'chart-test-failed':
      return 'rollback';
    default:
      // Hooks, admission, quota, RBAC and values fail the same way again: a person must change something.
      return 'none';
  }
}

export interface RemedyChoice {
  remedy: Remedy;
  /** Why, in words (the policy, the default, or why a wanted remedy is not allowed). */
  reason: string;
}

/** The chart's policy for the class, else the default; adoption only where the chart allowed it. Pure. */
export function chooseRemedy(failure: FailureReport, spec: Pick<ChartSpec, 'crds' | 'remedies'>): RemedyChoice {
  const configured = spec.remedies.policy[failure.class];
  const remedy = configured ?? defaultRemedy(failure.class, spec);
  if (remedy === 'adopt-retry' && !spec.remedies.allowAdoption) {
    return { remedy: 'none', reason: 'adopting needs remedies.allowAdoption: true for this chart' };
  }
  return { remedy, reason: configured ? 'the chart policy' : 'the default for this class' };
}

/**
 * Classes whose remedy has a budget of its own, apart from remedies.maxAttempts: a failure helm's wait
 * causes says nothing about the chart, so it is retried up to this many times (and takes none of the
 * attempts the chart's own failures get). maxAttempts 0 still turns every remedy off.
 */
export const OWN_RETRY_BUDGET: Readonly<Partial<Record<FailureClass, number>>> = { 'helm-wait-race': 2 };

/** The remedies already taken in this deploy, as the payload records them. */
type Taken = readonly { failureClass: FailureClass }[];

/** How many attempts a class has in all: its own budget, or the chart's maxAttempts. Pure. */
export function attemptBudget(failureClass: FailureClass, spec: Pick<ChartSpec, 'remedies'>): number {
  const max = spec.remedies.maxAttempts;
  return max === 0 ? 0 : (OWN_RETRY_BUDGET[failureClass] ?? max);
}

/** How many more remedies this failure's class may take, given those already taken. Pure. */
export function attemptsLeft(failureClass: FailureClass, taken: Taken, spec: Pick<ChartSpec, 'remedies'>): number {
  const ownBudget = (c: FailureClass) => OWN_RETRY_BUDGET[c] !== undefined;
  const counted = ownBudget(failureClass) ? taken.filter((t) => t.failureClass === failureClass) : taken.filter((t) => !ownBudget(t.failureClass));
  return attemptBudget(failureClass, spec) - counted.length;
}

/** Whether taking the remedy means running exec again. Pure. */
export function retriesAfter(remedy: Remedy): boolean {
  return remedy.endsWith('-retry') || remedy === 'retry';
}

export interface RemedyOutcome {
  /** What was done, in words. */
  message: string;
  /** Spec changes for the next attempt (e.g. force for force-replace). */
  specOverrides?: Partial<ChartSpec>;
}

/** The objects a failure names, with the apiVersion and namespace the chart renders them with. */
async function renderedRefs<P extends ChartPayload>(ctx: PhaseContext<P>, mentioned: readonly MentionedObject[]): Promise<ObjectRef[]> {
  const manifest = await ctx.helm.template({ ...templateRequest(ctx.spec), postRender: postRendererFor(ctx.spec, ctx.transform, ctx.log) }, { signal: ctx.signal });
  const objects = parseManifest(manifest, ctx.spec.namespace);
  return mentioned.flatMap((m) => {
    const found = objects.find((o) => o.kind === m.kind && o.metadata.name === m.name);
    if (!found) return [];
    const namespace = CLUSTER_SCOPED_KINDS.has(found.kind) ? undefined : (m.namespace ?? found.metadata.namespace);
    return [{ apiVersion: found.apiVersion, kind: found.kind, name: found.metadata.name, namespace }];
  });
}

async function waitUntilGone<P extends ChartPayload>(ctx: PhaseContext<P>, refs: readonly ObjectRef[]): Promise<void> {
  const deadline = Date.now() + ctx.spec.timeoutSeconds * 1_000;
  for (const ref of refs) {
    while ((await ctx.kube.getObject(ref)) && Date.now() < deadline) await sleep(500, undefined, { signal: ctx.signal });
  }
}

async function rollbackToLastGood<P extends ChartPayload>(ctx: PhaseContext<P>): Promise<string> {
  const ref = releaseRef(ctx.spec);
  const history = await ctx.helm.history(ref, { signal: ctx.signal });
  const latest = history.at(-1);
  const good = history.filter((r) => r.revision < (latest?.revision ?? 0) && (r.status === 'deployed' || r.status === 'superseded')).at(-1);
  if (!latest || !good) return 'nothing to roll back to (no earlier good revision); the release is left as it is';
  await ctx.helm.rollback({ ...ref, revision: good.revision, wait: ctx.spec.wait, timeoutSeconds: ctx.spec.timeoutSeconds }, { signal: ctx.signal });
  return `rolled back from revision ${latest.revision} to revision ${good.revision}`;
}

/** Takes the remedy; throws when it cannot (the original failure stays the one reported). */
export async function applyRemedy<P extends ChartPayload>(ctx: PhaseContext<P>, remedy: Remedy, failure: FailureReport): Promise<RemedyOutcome> {
  switch (remedy) {
    case 'none':
      return { message: 'no remedy taken' };
    case 'retry':
      return { message: failure.class === 'helm-wait-race' ? `retrying the same action: ${failure.summary}` : 'retrying' };
    case 'unlock-retry': {
      const recovered = await recoverStuckRelease(ctx);
      return { message: recovered ? `unlocked the release (${recovered.kind.replaceAll('-', ' ')}); retrying` : 'the release was no longer locked; retrying' };
    }
    case 'recreate-retry': {
      const refs = await renderedRefs(ctx, failure.objects);
      if (refs.length === 0) throw new Error('the objects with the immutable change could not be found in the rendered chart');
      for (const ref of refs) await ctx.kube.deleteObject(ref);
      await waitUntilGone(ctx, refs);
      return { message: `deleted ${refs.map((r) => `${r.kind}/${r.name}`).join(', ')} to recreate them; retrying` };
    }
    case 'force-replace-retry':
      return { message: 'retrying with replacement of changed objects (helm --force-replace / --force)', specOverrides: { force: true } };
    case 'adopt-retry': {
      const refs = await renderedRefs(ctx, failure.objects);
      const result = await adoptResources(ctx.kube, { release: ctx.spec.name, namespace: ctx.spec.namespace }, refs);
      return { message: `adopted ${result.adopted.join(', ') || 'nothing new'}; retrying`, specOverrides: { forceConflicts: true } };
    }
    case 'apply-crds-retry': {
      // Every CRD the release brings: crds/ of the chart and its enabled subcharts, CRD templates, crds.path.
      const names = await applyReleaseCrds(ctx);
      if (names.length === 0) throw new Error('no CRDs to apply: the chart brings none (no crds/ folder, in it or an enabled subchart, and no CRD template) and crds.path is not set');
      return { message: `applied CRDs ${names.join(', ')}; retrying` };
    }
    case 'rollback':
      if (failure.helmRolledBack) return { message: 'helm already rolled the failed upgrade back (atomic); nothing more to roll back' };
      return { message: await rollbackToLastGood(ctx) };
    case 'uninstall':
      await ctx.helm.uninstall({ ...releaseRef(ctx.spec), wait: true, timeoutSeconds: ctx.spec.timeoutSeconds }, { signal: ctx.signal });
      return { message: 'uninstalled the release' };
    case 'rewrite-release-apis-retry':
      return { message: `${await rewriteReleaseApis(ctx)}; retrying` };
    case 'restore-backup': {
      const restored = await restoreBackup(ctx.kube, { release: ctx.spec.name, namespace: ctx.spec.namespace });
      return { message: restored ? `restored ${restored.join(', ')} from the backup` : 'there was no backup to restore' };
    }
  }
}
