// Pre-flight: the failures apply would run into, predicted before anything changes. Each object the
// chart would deploy is checked against the cluster: is its kind served (else its CRD is missing), does
// it exist without belonging to the release (ownership conflict), and does a server-side dry-run apply
// pass (immutable fields, quota, admission). CRD templates are objects like any other (a CRD kept by a
// release that is gone, or owned by one in another namespace, is the common conflict); CRDs of a crds/
// folder are not, since Helm takes no ownership of those. Only dry runs and reads: nothing changes.
import { isForbidden } from '../errors.js';
import type { ReleaseInfo } from '../helm/types.js';
import { CLUSTER_SCOPED_KINDS, parseManifest, refOf, resolveRef } from '../kube/manifest.js';
import type { KubeClient, KubeObject } from '../kube/types.js';
import type { ChartSpec } from '../config/chart-spec.js';
import { isOwnedBy } from '../toolkit/ownership.js';
import { crdsOfRendered } from '../toolkit/release-crds.js';
import type { FailureClass, Remedy } from '../config/failure-classes.js';
import { classifyFailure, type FailureReport } from './classify.js';
import { chooseRemedy } from './remedies.js';

export interface Prediction {
  class: FailureClass;
  /** What will fail, and on which object. */
  detail: string;
  /** The remedy apply would take, and why. */
  remedy: Remedy;
  remedyReason: string;
}

export interface KindRef {
  apiVersion: string;
  kind: string;
}

export interface PreflightResult {
  predictions: Prediction[];
  /** group/Kind of every CRD the chart itself ships (templates or crds/). */
  providedCrds: string[];
  /** Kinds the chart deploys that the cluster does not serve yet; the stack decides who provides them. */
  unservedKinds: KindRef[];
}

export interface PreflightInput {
  spec: ChartSpec;
  /** What apply would deploy (helm template, or a server-side dry run of the upgrade). */
  rendered: string;
  release: ReleaseInfo | undefined;
  /** Apply uninstalls first (breaking reinstall): the release's own objects will be made anew. */
  reinstall: boolean;
  namespaceExists: boolean;
}

/** group/Kind of a CRD object. Pure. */
export function crdKey(crd: KubeObject): string {
  const spec = crd.spec as { group?: string; names?: { kind?: string } } | undefined;
  return `${spec?.group ?? ''}/${spec?.names?.kind ?? ''}`;
}

/** group/Kind of an apiVersion and kind ("apps/v1", "Deployment" → "apps/Deployment"). Pure. */
export function kindKey(ref: KindRef): string {
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  return `${group}/${ref.kind}`;
}

export function predict(spec: ChartSpec, report: FailureReport, detail = report.summary): Prediction {
  const choice = chooseRemedy(report, spec);
  return { class: report.class, detail, remedy: choice.remedy, remedyReason: choice.reason };
}

function describe(object: KubeObject): string {
  return `${object.kind}/${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
}

export async function preflightChart(kube: KubeClient, input: PreflightInput): Promise<PreflightResult> {
  const { spec } = input;
  const owner = { release: spec.name, namespace: spec.namespace };
  const predictions: Prediction[] = [];
  if (input.release?.status.startsWith('pending-')) {
    predictions.push(predict(spec, { class: 'stuck-release', summary: `the release is ${input.release.status}; preExec recovers it before the upgrade`, objects: [] }));
  }
  const objects = parseManifest(input.rendered, spec.namespace);
  const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
  const providedCrds = crds.map(crdKey);
  const unservedKinds: KindRef[] = [];
  const adopted = new Set(spec.adopt.map((ref) => JSON.stringify(resolveRef(ref, spec.namespace))));
  const served = new Map<string, boolean>();
  const crdsFolder = new Set(crdsOfRendered(input.rendered).filter((entry) => entry.source === 'crds-folder').map((entry) => entry.crd.metadata.name));

  for (const object of objects) {
    if (object.kind === 'CustomResourceDefinition' && crdsFolder.has(object.metadata.name)) continue;
    const key = `${object.apiVersion}/${object.kind}`;
    if (!served.has(key)) served.set(key, await kube.kindServed(object.apiVersion, object.kind));
    if (!served.get(key)) {
      if (!providedCrds.includes(kindKey(object)) && !unservedKinds.some((k) => `${k.apiVersion}/${k.kind}` === key)) unservedKinds.push({ apiVersion: object.apiVersion, kind: object.kind });
      continue;
    }
    if (!input.namespaceExists && !CLUSTER_SCOPED_KINDS.has(object.kind)) continue;
    const ref = refOf(object);
    let live: KubeObject | undefined;
    try {
      live = await kube.getObject(ref);
    } catch (error) {
      // Helm reads each object before writing it: a caller who may not read it will fail the same way.
      if (!isForbidden(error)) throw error;
      const report = classifyFailure(error);
      predictions.push(predict(spec, report, `${describe(object)}: ${report.summary}`));
      continue;
    }
    const ours = live !== undefined && isOwnedBy(live, owner);
    if (live && !ours && !spec.takeOwnership && !adopted.has(JSON.stringify(ref))) {
      const report: FailureReport = { class: 'ownership-conflict', summary: '', objects: [{ kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace }] };
      predictions.push(predict(spec, report, `${describe(object)} exists and does not belong to release ${spec.name}`));
      continue;
    }
    // A reinstall deletes the release's own objects first: their current fields do not matter.
    if (live && ours && input.reinstall) continue;
    try {
      await kube.applyObject(object, { fieldManager: 'helmcycle-preflight', force: true, dryRun: true });
    } catch (error) {
      const report = classifyFailure(error);
      // Only what the dry run can tell for certain; anything else shows in apply itself.
      if (['immutable-field', 'quota-denied', 'admission-denied', 'rbac-denied'].includes(report.class)) {
        predictions.push(predict(spec, report, `${describe(object)}: ${report.summary}`));
      }
    }
  }
  return { predictions, providedCrds, unservedKinds };
}

export interface StackCrdInput {
  chart: string;
  spec: ChartSpec;
  /** Every chart this one needs, directly or not. */
  ancestors: ReadonlySet<string>;
  providedCrds: readonly string[];
  unservedKinds: readonly KindRef[];
}

/**
 * Kinds a chart deploys that nothing installs before it: a missing-crd prediction when no chart of the
 * stack ships the CRD, or when the chart that does is not among the ones it needs. Pure.
 */
export function crdPredictions(charts: readonly StackCrdInput[]): Map<string, Prediction[]> {
  const result = new Map<string, Prediction[]>();
  for (const chart of charts) {
    const predictions: Prediction[] = [];
    for (const kind of chart.unservedKinds) {
      const key = kindKey(kind);
      const providers = charts.filter((c) => c.chart !== chart.chart && c.providedCrds.includes(key)).map((c) => c.chart);
      if (providers.some((p) => chart.ancestors.has(p))) continue;
      const where = providers.length
        ? `its CRD comes from ${providers.join(', ')}, which ${chart.chart} does not need (add it to needs)`
        : 'no chart in the stack installs its CRD';
      const report: FailureReport = { class: 'missing-crd', summary: '', objects: [{ kind: kind.kind, name: '', apiVersion: kind.apiVersion }] };
      predictions.push(predict(chart.spec, report, `${kind.kind} (${kind.apiVersion}) is not served, and ${where}`));
    }
    if (predictions.length) result.set(chart.chart, predictions);
  }
  return result;
}
