// The API part of a chart's plan: what apply would deploy and the stored manifest of the revision helm
// upgrades from, each checked against the removed and deprecated APIs at a Kubernetes version (the one
// asked for, else the server's), and the failure apply would meet when that stored manifest names an API
// this cluster no longer serves (removed-api-in-release, with the rewrite apply would make). Reads only.
import type { ChartSpec } from '../config/chart-spec.js';
import { classifyFailure } from '../failures/classify.js';
import { predict, type Prediction } from '../failures/preflight.js';
import { SERVER_VERSION_FACT } from '../helm/run-facts.js';
import type { CallOptions, HelmClient, ReleaseInfo } from '../helm/types.js';
import type { KubeClient } from '../kube/types.js';
import { findApiProblems, type ApiFinding, type FailOn } from './api-check.js';
import { currentRevisionOf } from './current-revision.js';
import { rewriteManifestApis } from './manifest-rewrite.js';
import { unservedMappings } from './rewrite-release-apis.js';

/** What plan checks APIs against, folded from --kube-version, the target's and the stack's kubeVersion, and --fail-on. */
export interface ApiCheckSettings {
  /** undefined: the API server's own version, and only removed APIs are reported. */
  kubeVersion?: string | undefined;
  failOn?: FailOn | undefined;
}

/** The command's flags over a fleet target's setting over the stack's. Pure. */
export function apiCheckOf(flags: ApiCheckSettings, ...settings: ({ kubeVersion?: string | undefined } | undefined)[]): ApiCheckSettings {
  const kubeVersion = flags.kubeVersion ?? settings.map((s) => s?.kubeVersion).find((v) => v !== undefined);
  return { ...(kubeVersion ? { kubeVersion } : {}), ...(flags.failOn ? { failOn: flags.failOn } : {}) };
}

export interface ApiPlanInput {
  spec: ChartSpec;
  helm: HelmClient;
  kube: KubeClient;
  /** The release as found; its stored manifest is checked when it is installed. */
  found: ReleaseInfo | undefined;
  /** What apply would deploy, when plan rendered it. */
  rendered: string | undefined;
  /** True when apply would run a helm upgrade or rollback over the release (which builds the stored manifest). */
  upgrades: boolean;
  settings: ApiCheckSettings | undefined;
  options: CallOptions;
}

export interface ApiPlan {
  apiFindings: ApiFinding[];
  predictions: Prediction[];
}

/** Read through the plan's helm view, which keeps the answer for the run. */
function serverVersion(input: ApiPlanInput): Promise<string> {
  return input.helm.remember(SERVER_VERSION_FACT, () => input.kube.serverVersion(input.options.signal));
}

export async function planApis(input: ApiPlanInput): Promise<ApiPlan> {
  const { spec, settings } = input;
  const asked = settings?.kubeVersion;
  const kubeVersion = asked ?? (await serverVersion(input));
  // Deprecations are news only against a version someone asked about (or gates on).
  const reported = (findings: ApiFinding[]) => (asked || settings?.failOn === 'deprecated' ? findings : findings.filter((f) => f.level === 'removed'));
  const check = { chart: spec.name, namespace: spec.namespace, kubeVersion };
  const apiFindings = input.rendered === undefined ? [] : reported(findApiProblems(input.rendered, { ...check, source: 'rendered' }));
  const predictions: Prediction[] = [];
  if (input.found && input.found.status !== 'uninstalled') {
    const ref = { release: spec.name, namespace: spec.namespace };
    const current = currentRevisionOf(await input.helm.history(ref, input.options));
    if (current) {
      const stored = await input.helm.getManifest({ ...ref, revision: current.revision }, input.options);
      apiFindings.push(...reported(findApiProblems(stored, { ...check, source: 'release', revision: current.revision })));
      // The failure is this cluster's, whatever version was asked about: only what it does not serve now.
      const mappings = input.upgrades ? await unservedMappings(input.kube, stored, spec.namespace) : [];
      const changes = mappings.length ? rewriteManifestApis(stored, mappings).changes : [];
      if (changes.length) {
        const report = classifyFailure(new Error('unable to build kubernetes objects from current release manifest'));
        predictions.push(predict(spec, report, `rewrite stored manifest of revision ${current.revision}: ${changes.join(', ')}`));
      }
    }
  }
  return { apiFindings, predictions };
}

/**
 * An upgrade's server-side dry run fails as the upgrade would when the stored manifest names an API the
 * cluster no longer serves: plan then renders the chart locally (as for a locked release), and planApis
 * predicts the failure and the rewrite apply would make.
 */
export async function dryRunOrTemplate(dryRun: () => Promise<string>, template: () => Promise<string>, crdsFirst = false): Promise<string> {
  try {
    return await dryRun();
  } catch (error) {
    const failure = classifyFailure(error).class;
    // With crds.upgrade, a kind of a CRD version the new CRDs bring is served only once apply applied
    // them: rendered locally too, and pre-flight says whether anything provides it (missing-crd).
    if (failure !== 'removed-api-in-release' && !(crdsFirst && failure === 'missing-crd')) throw error;
    return template();
  }
}
