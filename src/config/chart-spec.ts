// The declaration of one chart, modeled on Terraform's helm_release plus what community charts need.
// The zod schema is the single source of truth: the TypeScript types below are inferred from it.
import semver from 'semver';
import { z } from 'zod';
import { FAILURE_CLASSES, REMEDIES } from './failure-classes.js';
import { argvText, chartReferenceSchema, notAFlag, releaseLabelsSchema, setScalarSchema, testFilterSchema, valuesFilePathSchema } from './argv-fields.js';
import { maskable } from './sensitive-value.js';

/**
 * Helm release names: DNS-1123 labels of at most 53 characters. helm's own rule (ValidateReleaseName) also
 * allows dots between labels; helmcycle does not, since the name is also a Lease's and a label's.
 */
const releaseName = z
  .string()
  .max(53, 'a release name has at most 53 characters')
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a release name is lowercase letters, digits and dashes');

const namespaceName = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a namespace is lowercase letters, digits and dashes');

/** A chart's pinned digest: what registries, `helm push` and `helm pull` print. */
const CHART_DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

const semverVersion = z.string().refine((v) => semver.valid(v) !== null, 'expected a semantic version, e.g. 2.0.0');

const versionConstraint = z
  .string()
  .min(1)
  .pipe(notAFlag('a version'))
  .refine((v) => semver.validRange(v) !== null, 'expected a version or a semver range, e.g. 1.2.3 or ^1.2');

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const valuesObject = z.record(z.string(), z.unknown());

export const repositoryAuthSchema = z.strictObject({
  username: argvText.min(1),
  /** Sensitive: written to a private helm config through stdin, never to an argv or a log. */
  password: maskable(z.string().min(1)),
  caFile: argvText.optional(),
  certFile: argvText.optional(),
  keyFile: argvText.optional(),
  insecureSkipTlsVerify: z.boolean().optional(),
  /** Send the credentials to every domain the repository redirects to (helm's --pass-credentials). */
  passCredentials: z.boolean().optional(),
});

export const yamlFileContentSchema = z.strictObject({
  /** A label for messages and the temporary file's name. */
  name: z.string().regex(/^[\w.-]+$/, 'a name is letters, digits, dots, dashes and underscores'),
  content: z.string(),
});

export const upgradeRetrySchema = z.strictObject({
  attempts: z.number().int().min(1).max(20),
  delayMs: z.number().int().min(0).max(600_000).default(5_000),
});

/** An object in the cluster, named for adoption or backup. */
export const resourceRefSchema = z.strictObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  name: z.string().min(1),
  /** The release's namespace when absent (ignored for cluster-scoped kinds). */
  namespace: namespaceName.optional(),
});

export const crdPolicySchema = z.strictObject({
  /**
   * Apply every CRD the release brings (crds/ of the chart and of its enabled subcharts, CRD templates,
   * `path`) server-side, then wait until Established, before every install and upgrade.
   */
  upgrade: z.boolean().default(true),
  /** A directory or file of CRD manifests, added to those the chart brings (winning over one of the same name). */
  path: z.string().min(1).optional(),
  /** Delete those CRDs after uninstalling, refusing while custom resources of theirs (not the release's own) exist in any namespace. */
  deleteOnDestroy: z.boolean().default(false),
  /** Delete them on destroy even while custom resources exist (those are deleted with them). */
  forceDelete: z.boolean().default(false),
  /**
   * Upgrade a CRD even when existing custom resources would no longer validate against its new schema
   * (each finding is logged); without it the upgrade is refused (crd-invalid-resources, see docs/crd-evolution.md).
   */
  allowInvalid: z.boolean().default(false),
});

/** `helm test` after the workload checks: `true` for helm's defaults, or a timeout and name filters. */
export const chartTestsSchema = z.union([
  z.literal(true),
  z.literal(false),
  z.strictObject({
    /** helm test --timeout: how long each test pod may take. */
    timeoutSeconds: z.number().int().min(1).max(86_400).optional(),
    /** helm test --filter, one per entry: `name=x` runs only x, `!name=y` skips y. */
    filter: z.array(testFilterSchema).default([]),
  }),
]);

export const remedyPolicySchema = z.strictObject({
  /** The remedy per failure class, over helmcycle's defaults (see failures/remedies.ts). */
  policy: z.partialRecord(z.enum(FAILURE_CLASSES), z.enum(REMEDIES)).default({}),
  /** How many remedies one deploy may take before it gives up (each retry-type remedy runs exec again). */
  maxAttempts: z.number().int().min(0).max(5).default(1),
  /** Let the ownership-conflict remedy adopt existing objects for this release. Off: adoption is a choice. */
  allowAdoption: z.boolean().default(false),
});

/** The fields of a chart spec, without cross-field checks (stacks extend it with `needs`). */
export const chartSpecFields = {
    /** The release name. */
    name: releaseName,
    namespace: namespaceName.default('default'),
    createNamespace: z.boolean().default(false),
    /**
     * The chart: a local directory (./charts/web), a name in `repository` (web), or an OCI reference
     * (oci://registry.example.com/charts/web).
     */
    chart: chartReferenceSchema,
    repository: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL of a chart repository' }).optional(),
    version: versionConstraint.optional(),
    repositoryAuth: repositoryAuthSchema.optional(),
    /** Fetch the chart over plain HTTP (an OCI registry without TLS, such as a local one). */
    plainHttp: z.boolean().default(false),
    /**
     * Pins an OCI chart by the digest of its manifest (sha256:..., as `helm push` and the registry print
     * it): the chart is pulled, checked, and installed from that checked copy; a tag pushed again fails.
     */
    digest: z.string().regex(CHART_DIGEST_PATTERN, 'expected sha256: and 64 lowercase hex digits, the digest `helm push` prints').optional(),
    /**
     * Verify the chart's provenance as `helm --verify` does: its `.prov` file must be signed by a key of
     * `keyring` and name the sha256 of the archive pulled; the chart installs only from that checked copy.
     */
    verify: z.boolean().default(false),
    /** The OpenPGP public keyring `verify` checks against (armored or binary; in a stack, inside its folder). */
    keyring: z.string().min(1).optional(),

    /** Values objects, merged in order (later wins), before every other source of values. */
    values: z.union([valuesObject, z.array(valuesObject)]).default([]),
    /** Paths of values files, applied after `values`. */
    valuesFiles: z.array(valuesFilePathSchema).default([]),
    /** Inline YAML documents, written to private temporary files and applied after `valuesFiles`. */
    yamlFilesContent: z.array(yamlFileContentSchema).default([]),
    /** Like --set-json; applied after files. */
    setJson: z.record(z.string(), z.unknown()).default({}),
    /** Like --set (helm infers the type). */
    set: z.record(z.string(), setScalarSchema).default({}),
    /** Like --set-string. */
    setString: z.record(z.string(), argvText).default({}),
    /**
     * Values that must never be logged or appear on a command line. They are written to a private
     * values file applied after every other file (so they win over files, and lose to set/setString/setJson).
     * Each is masked in all output, so none may be a boolean, a keyword such as `null`, or shorter than 4.
     */
    setSensitive: z.record(z.string(), maskable(scalar)).default({}),
    /**
     * SOPS-encrypted values files (YAML or JSON; helmfile's `secrets:`), decrypted in memory with an age
     * key when the run starts and never written to disk: their values are sensitive, as secretValues.
     */
    secretValuesFiles: z.array(valuesFilePathSchema).default([]),
    /**
     * Values objects that are secret: given to helm on its standard input after every values file (before
     * setSensitive), masked in all output, and covered by the release digest only through a keyed HMAC.
     * Decrypted SOPS files and resolved `ref+` references end up here.
     */
    secretValues: z.union([valuesObject, z.array(valuesObject)]).default([]),

    atomic: z.boolean().default(false),
    wait: z.boolean().default(true),
    waitForJobs: z.boolean().default(false),
    /**
     * End helm's wait early when a workload this deploy made fails in a way waiting does not heal: a
     * pod crash-looping, unable to pull its image or to be scheduled for failFastAfterSeconds, or (with
     * waitForJobs) a failed Job. helm then fails the release as on its timeout (rolled back under atomic).
     */
    failFast: z.boolean().default(true),
    /** How long a pod must stay in such a state before the wait is ended (a crash while a dependency starts heals). */
    failFastAfterSeconds: z.number().int().min(0).max(3_600).default(10),
    /** Seconds helm may wait for any one operation, and validate for the workloads. */
    timeoutSeconds: z.number().int().min(1).max(86_400).default(300),
    /**
     * Replace objects instead of patching them (helm --force; Helm 4 --force-replace, which needs
     * client-side updates). A replacement is validated like any update: it does not pass immutable fields.
     */
    force: z.boolean().default(false),
    cleanupOnFail: z.boolean().default(false),
    historyMax: z.number().int().min(0).default(10),
    skipCrds: z.boolean().default(false),
    disableHooks: z.boolean().default(false),
    takeOwnership: z.boolean().default(false),
    /**
     * Helm 4 applies server-side: take over fields another field manager owns (helm --force-conflicts)
     * instead of failing. On by itself with `adopt` or `takeOwnership`; ignored by Helm 3.
     */
    forceConflicts: z.boolean().default(false),
    description: argvText.optional(),
    /** Labels recorded on the release (helm --labels): Kubernetes labels, as helm stores them on its release Secret. */
    labels: releaseLabelsSchema.default({}),
    action: z.enum(['deploy', 'destroy']).default('deploy'),

    /** When the installed chart is older than this version, uninstall and install anew. */
    lastBreakingVersionRequiringRestart: semverVersion.optional(),
    skipIfAlreadyInstalled: z.boolean().default(false),
    upgradeRetry: upgradeRetrySchema.default({ attempts: 1, delayMs: 5_000 }),
    /** Label selector of the pods this chart owns (e.g. app.kubernetes.io/instance=web). */
    podSelector: z.string().min(1).optional(),
    /**
     * Skip the upgrade when the chart version, the effective values and the spec are those the deployed
     * release recorded (a digest in the release's labels). Stacks turn it on; --force-upgrade turns it off.
     */
    skipUnchanged: z.boolean().default(false),
    /**
     * Do not compare the live objects with the deployed manifest: plan shows no drift, and a release
     * skipUnchanged leaves is left with its hand edits (the stack's ignoreDrift and --ignore-drift set it).
     */
    ignoreDrift: z.boolean().default(false),
    /**
     * Objects that exist outside Helm (a cloud's CNI DaemonSet, say) to hand to this release before it
     * installs: they get Helm's managed-by label and release annotations. `takeOwnership` is Helm's own
     * alternative (Helm 4, Helm 3.17+).
     */
    adopt: z.array(resourceRefSchema).default([]),
    /** Manage the chart's CRDs, which Helm installs once and never upgrades or deletes. */
    crds: crdPolicySchema.optional(),
    /**
     * Objects to keep across a breaking-version reinstall (a Secret of generated credentials, say): saved
     * into the cluster before the uninstall and put back after the install.
     */
    backup: z.array(resourceRefSchema).default([]),
    /** Run the chart's test hooks (`helm test`) in validate, after the workload checks; a failing test fails the deploy. */
    tests: chartTestsSchema.optional(),
    /** What to do when a deploy fails, per failure class. */
    remedies: remedyPolicySchema.default({ policy: {}, maxAttempts: 1, allowAdoption: false }),
};

type SpecShape = z.output<z.ZodObject<typeof chartSpecFields>>;

/** Checks that span fields; shared by the chart schema and the stack file schema. */
export function refineChartSpec(spec: Pick<SpecShape, 'chart' | 'repository' | 'repositoryAuth' | 'yamlFilesContent' | 'digest' | 'version' | 'verify' | 'keyring'>, ctx: z.RefinementCtx): void {
  const isOci = spec.chart.startsWith('oci://');
  if (spec.verify && !spec.keyring) ctx.addIssue({ code: 'custom', path: ['keyring'], message: 'verify: true needs the keyring of the keys the chart may be signed by' });
  if (spec.keyring !== undefined && !spec.verify) ctx.addIssue({ code: 'custom', path: ['verify'], message: 'a keyring is read only with verify: true' });
  if (spec.verify && !isOci && !spec.repository) ctx.addIssue({ code: 'custom', path: ['verify'], message: 'only a chart from a repository or an oci:// registry has a provenance file to verify' });
  if (isOci && spec.repository) {
    ctx.addIssue({ code: 'custom', path: ['repository'], message: 'an oci:// chart takes no repository URL' });
  }
  if (spec.digest !== undefined && !isOci) {
    ctx.addIssue({ code: 'custom', path: ['digest'], message: 'a digest pins an oci:// chart; a chart from a repository or a folder has none' });
  }
  if (spec.digest !== undefined && isOci && (spec.version === undefined || semver.valid(spec.version) === null)) {
    ctx.addIssue({ code: 'custom', path: ['version'], message: 'a chart pinned by digest needs the exact version it was pushed as (its tag), e.g. 1.2.3' });
  }
  if (spec.repositoryAuth && !spec.repository && !isOci) {
    ctx.addIssue({
      code: 'custom',
      path: ['repositoryAuth'],
      message: 'credentials need a repository URL or an oci:// chart',
    });
  }
  const seen = new Set<string>();
  spec.yamlFilesContent.forEach((file, index) => {
    if (seen.has(file.name)) {
      ctx.addIssue({ code: 'custom', path: ['yamlFilesContent', index, 'name'], message: `duplicate name '${file.name}'` });
    }
    seen.add(file.name);
  });
}

export const chartSpecSchema = z.strictObject(chartSpecFields).superRefine(refineChartSpec);

/** What a user writes (defaults optional). */
export type ChartSpecInput = z.input<typeof chartSpecSchema>;
/** A validated spec with every default filled in. */
export type ChartSpec = z.output<typeof chartSpecSchema>;
export type RepositoryAuth = z.output<typeof repositoryAuthSchema>;
export type YamlFileContent = z.output<typeof yamlFileContentSchema>;
export type ResourceRefInput = z.output<typeof resourceRefSchema>;
export type CrdPolicy = z.output<typeof crdPolicySchema>;
export type ChartTestsSetting = z.output<typeof chartTestsSchema>;
