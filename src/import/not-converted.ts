// What an import could not carry over, each with what replaces it in helmcycle: the import lists every
// such item (stderr and the output's `# not converted:` block) instead of dropping it. Items hold
// helmfile text; quote.ts puts each on one line wherever it is written. Pure.
import { oneLine, shown } from './quote.js';

export interface NotConverted {
  /** Where it is in the helmfile: `releases[2].hooks`, `environments.prod.secrets`, `helmDefaults.verify`. */
  field: string;
  /** What it is, briefly. */
  what: string;
  /** The helmcycle phase or option that takes its place. */
  instead: string;
  /** The checklist group it belongs to (checklist.ts); guessed from the text when not given. */
  topic?: Topic;
}

export type Topic = 'secrets' | 'templates' | 'releases' | 'versions' | 'hooks' | 'environments' | 'other';

/** helmfile keys with a known helmcycle replacement; any other key is listed as unknown. */
const REPLACEMENTS: Record<string, { what: string; instead: string }> = {
  hooks: { what: 'helmfile hooks (commands run on helmfile events)', instead: 'a lifecycle phase in a TypeScript stack: preExec for presync/prepare, postExec for postsync, onDeployFailure for a failed sync (--ts)' },
  secrets: { what: 'environment secrets files (sops files decrypted into template inputs)', instead: "helmcycle has no template inputs: list the SOPS file under secretValuesFiles of each chart whose values need it, or setSensitive filled from the environment in a TypeScript stack (setSensitive: { key: process.env.NAME! })" },
  missingFileHandler: { what: 'missingFileHandler', instead: 'none needed: helmcycle refuses a missing values file when the stack loads (exit 2), before the cluster is touched' },
  bases: { what: 'bases (files merged before this one)', instead: 'defaults and environments of one stack, or a TypeScript stack that imports shared parts' },
  helmfiles: { what: 'nested helmfiles', instead: 'import each helmfile on its own and join the charts into one stack (needs across them)' },
  kubeContext: { what: 'kubeContext', instead: "--kube-context on the command line (fleet targets per chart are not in helmcycle yet)" },
  templates: { what: 'release templates', instead: 'stack defaults, or a function that builds charts in a TypeScript stack' },
  defaultInherit: { what: 'defaultInherit', instead: 'stack defaults' },
  inherit: { what: 'inherit (release templates)', instead: 'stack defaults, or a function that builds charts in a TypeScript stack' },
  values: { what: 'top-level values (template inputs)', instead: 'environment values reach charts only through templates; put them in defaults.values or in each chart' },
  verify: { what: 'verify (chart signature check) for every release', instead: 'verify: true and keyring: on each repository or OCI chart (see the spec)' },
  args: { what: 'extra helm arguments', instead: 'the spec field for the flag, where one exists (see "The spec")' },
  recreatePods: { what: 'recreatePods', instead: 'none (removed in Helm 3); a postExec phase that restarts the workloads' },
  skipDeps: { what: 'skipDeps', instead: 'none needed: helmcycle does not run helm dependency build' },
  reuseValues: { what: 'reuseValues', instead: 'none: helmcycle deploys the values the stack declares (the digest skips unchanged releases)' },
  tillerNamespace: { what: 'tillerNamespace (Helm 2)', instead: 'none: Helm 3 and 4 have no Tiller' },
  postRenderer: { what: 'postRenderer', instead: 'a preExec phase that adds yamlFilesContent, or the chart itself' },
  postRendererArgs: { what: 'postRendererArgs', instead: 'a preExec phase, as postRenderer' },
  apiVersions: { what: 'apiVersions', instead: 'none: helmcycle renders against the live API server' },
  kubeVersion: { what: 'kubeVersion', instead: 'none: helmcycle renders against the live API server' },
  condition: { what: 'condition (enable a release from a values key)', instead: "environments.<env>.charts.<name>.action: destroy, or a filter in a TypeScript stack" },
  dependencies: { what: 'chartify dependencies', instead: 'a chart of its own with its own needs' },
  jsonPatches: { what: 'jsonPatches (chartify)', instead: 'a preExec phase, or a fork of the chart' },
  strategicMergePatches: { what: 'strategicMergePatches (chartify)', instead: 'a preExec phase, or a fork of the chart' },
  transformers: { what: 'transformers (chartify)', instead: 'a preExec phase, or a fork of the chart' },
  adopt: { what: 'adopt (chartify)', instead: 'adopt: [{ apiVersion, kind, name }] in the chart spec' },
  disableValidation: { what: 'disableValidation', instead: 'none: plan and apply validate against the API server' },
  disableOpenAPIValidation: { what: 'disableOpenAPIValidation', instead: 'none: plan and apply validate against the API server' },
  devel: { what: 'devel (pre-release charts)', instead: "a version range that admits pre-releases, e.g. '>=1.0.0-0'" },
  keyring: { what: 'keyring for every release', instead: 'keyring: (a file in the stack folder) with verify: true on each repository or OCI chart' },
  suppressDiff: { what: 'suppressDiff', instead: 'none: plan always shows the diff (Secrets only by key)' },
  insecureSkipTLSVerify: { what: 'insecureSkipTLSVerify', instead: 'repositoryAuth.insecureSkipTlsVerify (with credentials)' },
  lockFilePath: { what: 'lockFilePath', instead: 'exact versions in the stack (a saved plan pins the resolved ones)' },
  commonLabels: { what: 'commonLabels', instead: 'defaults.labels' },
};

/** An item for a key of the helmfile, with its replacement; an unknown key says so. */
export function notConvertedKey(field: string, key: string): NotConverted {
  const known = Object.hasOwn(REPLACEMENTS, key) ? REPLACEMENTS[key]! : undefined;
  return known ? { field, ...known } : { field, what: `unknown key '${shown(key)}'`, instead: 'none known: check what it does in helmfile and set the matching chart spec field by hand' };
}

/** One item as one line, whatever its helmfile text holds, and never longer than a few hundred characters. */
export function notConvertedLine(item: NotConverted): string {
  return `${shown(item.field, 300)}: ${shown(item.what, 600)} -> ${oneLine(item.instead)}`;
}

/** The block the emitters write at the top of the file, one line per item. */
export function notConvertedLines(items: readonly NotConverted[]): string[] {
  if (items.length === 0) return [];
  return ['not converted:', ...items.map((item) => `  - ${notConvertedLine(item)}`)];
}
