// The values check of one chart that apply would deploy: every value the user sets is judged by the
// chart's own files (known-keys.ts), suspects by rendering (render-check.ts), and on a version change
// each key the installed version's defaults had and the target's lack is named. Reads only: the chart
// (pulled into a private temporary folder when it is not local), the release record, `helm template`.
// Plan calls it only for charts it would install or upgrade: an unchanged chart costs nothing.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ChartSpec } from '../config/chart-spec.js';
import type { CallOptions, HelmClient } from '../helm/types.js';
import type { KubeClient } from '../kube/types.js';
import { chartSource, isLocalChart, templateRequest, valuesInput } from '../lifecycle/requests.js';
import { readChartModel, readChartPackage, type ChartModel } from '../values/chart-model.js';
import { installedDefaults } from '../upgrade/installed-defaults.js';
import { defaultsKnow, formatPath, judgePath, leafPaths } from '../values/known-keys.js';
import { unusedByRender } from '../values/render-check.js';
import { inlineValues, mergedUserValues, valuesWithout } from '../values/user-values.js';

export type ValueFindingKind = 'unused' | 'not-allowed' | 'removed';

export interface ValueFinding {
  /** The key as --set writes it, e.g. prometheus.prometheusSpec.foo. */
  path: string;
  kind: ValueFindingKind;
  detail: string;
}

export interface ValuesCheckInput {
  spec: ChartSpec;
  helm: HelmClient;
  kube: Pick<KubeClient, 'listByLabels'>;
  /** The chart version the release runs now, when installed. */
  installedVersion: string | undefined;
  /** The chart version apply would deploy. */
  targetVersion: string | undefined;
  options: CallOptions;
}

export interface ValuesCheck {
  findings: ValueFinding[];
  /** Keys the render budget left undecided (render-check.ts), as --set writes them. */
  undecided: string[];
  /** helm template runs the check took (0 when the chart's files told everything). */
  renders: number;
}

/** The chart's model: a local folder read in place, any other pulled into a temporary folder first. */
export async function chartModelOf(spec: ChartSpec, helm: HelmClient, options: CallOptions): Promise<ChartModel> {
  if (isLocalChart(spec)) {
    const path = resolve(spec.chart);
    // A local chart is a folder or a package (helm package's .tgz).
    return (await stat(path)).isDirectory() ? readChartModel(path) : readChartPackage(await readFile(path), spec.chart);
  }
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-values-'));
  try {
    return await readChartModel(await helm.pull(chartSource(spec), dir, options));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function checkValues(input: ValuesCheckInput): Promise<ValuesCheck> {
  const { spec } = input;
  const values = await inlineValues(valuesInput(spec));
  const paths = leafPaths(mergedUserValues(values));
  if (paths.length === 0) return { findings: [], undecided: [], renders: 0 };
  const model = await chartModelOf(spec, input.helm, input.options);
  const version = input.targetVersion ?? model.version;
  const findings: ValueFinding[] = [];
  const moved = input.installedVersion && input.installedVersion !== version ? await installedDefaults(input.kube, spec) : undefined;
  const suspects: string[][] = [];
  for (const path of paths) {
    const verdict = judgePath(model, path);
    if (verdict === 'known') continue;
    if (moved && defaultsKnow(moved, path)) {
      findings.push({ path: formatPath(path), kind: 'removed', detail: `no longer in ${version} (the defaults of ${input.installedVersion} have it)` });
    } else if (verdict === 'not-allowed') {
      findings.push({ path: formatPath(path), kind: 'not-allowed', detail: `not allowed by the values.schema.json of ${model.name} ${version}` });
    } else {
      suspects.push(path);
    }
  }
  const request = templateRequest(spec);
  const { unused, undecided, renders } = await unusedByRender(suspects, (without) => input.helm.template({ ...request, values: valuesWithout(values, without) }, input.options));
  for (const path of unused) {
    findings.push({ path: formatPath(path), kind: 'unused', detail: `not read by ${model.name} ${version}: not in its values.yaml or values.schema.json, and the chart renders the same without it` });
  }
  return { findings, undecided: undecided.map(formatPath), renders };
}
