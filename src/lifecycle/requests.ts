// Pure mappings from a validated ChartSpec to the requests the HelmClient takes.
import type { ChartSource, ReleaseRef, TemplateRequest, UpgradeRequest, ValuesInput } from '../helm/types.js';
import type { ChartSpec } from '../config/chart-spec.js';

export function releaseRef(spec: ChartSpec): ReleaseRef {
  return { release: spec.name, namespace: spec.namespace };
}

export function chartSource(spec: ChartSpec): ChartSource {
  return { chart: spec.chart, repository: spec.repository, version: spec.version, auth: spec.repositoryAuth, plainHttp: spec.plainHttp, digest: spec.digest, ...(spec.verify && spec.keyring ? { verify: { keyring: spec.keyring } } : {}) };
}

export function valuesInput(spec: ChartSpec): ValuesInput {
  // A SOPS file left encrypted would reach helm as ENC[...] strings, or not at all: resolveStackSecrets decrypts them first.
  if (spec.secretValuesFiles.length > 0) throw new Error(`chart '${spec.name}': secretValuesFiles must be decrypted before the chart runs (runStack and the CLI do it; a library caller of runChart calls resolveStackSecrets first)`);
  return {
    values: Array.isArray(spec.values) ? spec.values : [spec.values],
    valuesFiles: spec.valuesFiles,
    yamlFilesContent: spec.yamlFilesContent,
    setSensitive: spec.setSensitive,
    secretValues: Array.isArray(spec.secretValues) ? spec.secretValues : [spec.secretValues],
    setJson: spec.setJson,
    set: spec.set,
    setString: spec.setString,
  };
}

/** The request that renders the chart locally, as the release would be rendered. */
export function templateRequest(spec: ChartSpec): TemplateRequest {
  return { ...releaseRef(spec), source: chartSource(spec), values: valuesInput(spec), skipCrds: spec.skipCrds };
}

export function upgradeRequest(spec: ChartSpec, overrides: { createNamespace?: boolean } = {}): UpgradeRequest {
  return {
    ...releaseRef(spec),
    source: chartSource(spec),
    values: valuesInput(spec),
    options: {
      createNamespace: overrides.createNamespace ?? spec.createNamespace,
      atomic: spec.atomic,
      wait: spec.wait,
      waitForJobs: spec.waitForJobs,
      timeoutSeconds: spec.timeoutSeconds,
      force: spec.force,
      cleanupOnFail: spec.cleanupOnFail,
      historyMax: spec.historyMax,
      // With crds.upgrade helmcycle applies the crds/ folders itself, before the deploy; Helm's own first
      // install of them (server-side under Helm 4) would contend with helmcycle for the same fields.
      skipCrds: spec.skipCrds || spec.crds?.upgrade === true,
      disableHooks: spec.disableHooks,
      takeOwnership: spec.takeOwnership,
      // Adopted objects (and ones Helm takes over) keep their creator as a co-owner of every field.
      forceConflicts: spec.forceConflicts || spec.adopt.length > 0 || spec.takeOwnership,
      description: spec.description,
      labels: spec.labels,
    },
  };
}

/** True for a chart given as a local directory or packaged file (not a repository or OCI chart). */
export function isLocalChart(spec: Pick<ChartSpec, 'chart' | 'repository'>): boolean {
  return !spec.repository && !spec.chart.startsWith('oci://');
}
