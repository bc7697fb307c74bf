// Puts a failed deploy in its class, from helm's error (the whole cause chain and helm's stderr) and the
// diagnostics. Pure: the cluster was read before (diagnostics, hook logs); here is only judgement.
import { causeChain, findCause, ReadinessFailedError, ValidationError } from '../errors.js';
import { ChartTestFailedError, HelmCommandError, HelmTimeoutError, ReleaseLockedError, RenderError, RolledBackError } from '../helm/errors.js';
import type { Diagnostics } from '../kube/diagnostics.js';
import { CrdInUseError } from '../toolkit/crds.js';
import { CrdInvalidResourcesError, CrdMigrationBlockedError } from '../crd-evolution/errors.js';
import { UnusedValuesError } from '../values/errors.js';
import { transientReason } from '../retry/transient.js';
import { WORKLOAD_KINDS } from '../kube/manifest.js';
import { FAILURE_CLASS_ADVICE, type FailureClass } from '../config/failure-classes.js';

/** An object a failure names: kind and name, plus what else the message says. */
export interface MentionedObject {
  kind: string;
  name: string;
  namespace?: string | undefined;
  /** For a missing CRD: the apiVersion the chart asked for. */
  apiVersion?: string | undefined;
}

export interface TestPodReport {
  pod: string;
  phase: string;
  /** Per container: exit code, reason and termination message as the kubelet recorded them. */
  containers: string[];
  events: string[];
  /** Log lines; one line saying why when none could be read. */
  lines: string[];
}

export interface FailureReport {
  class: FailureClass;
  /** One line: the class's meaning and the specific detail. */
  summary: string;
  objects: MentionedObject[];
  /** The failed test pods (chart-test-failed only): their state, events and log lines, read by onDeployFailure. */
  testPods?: TestPodReport[];
  /** Log lines of the failed hook Jobs (hook-failure only), read by onDeployFailure. */
  hookLogs?: { job: string; pod: string; lines: string[] }[];
  /**
   * Helm itself already undid the failed upgrade (atomic / --rollback-on-failure), so the release is back at
   * its last good state and a rollback remedy must not roll back once more (to an even older revision).
   */
  helmRolledBack?: boolean;
}

/** Every message of the cause chain, and helm's stderr where a helm command failed. */
export function failureText(error: unknown): string {
  const parts: string[] = [];
  for (const cause of causeChain(error)) {
    if (cause instanceof Error) parts.push(cause.message);
    if (cause instanceof HelmCommandError) parts.push(cause.failure.stderrTail);
  }
  return parts.join('\n');
}

function matchAll(text: string, pattern: RegExp, toObject: (m: RegExpMatchArray) => MentionedObject): MentionedObject[] {
  const seen = new Map<string, MentionedObject>();
  for (const match of text.matchAll(pattern)) {
    const object = toObject(match);
    seen.set(`${object.kind}/${object.namespace ?? ''}/${object.name}/${object.apiVersion ?? ''}`, object);
  }
  return [...seen.values()];
}

/** "Deployment.apps" → "Deployment". */
function kindOf(qualified: string): string {
  return qualified.split('.')[0]!;
}

interface Rule {
  class: FailureClass;
  test: (text: string, error: unknown) => boolean;
  objects?: (text: string) => MentionedObject[];
  detail?: (text: string, objects: MentionedObject[]) => string;
}

/** helm's words for a failed hook phase: "failed pre-install: ...". */
const HOOK_FAILED = /failed (pre|post)-(install|upgrade|delete|rollback)/i;

const has = (error: unknown, type: abstract new (...args: never[]) => Error) => findCause(error, type) !== undefined;
const names = (objects: MentionedObject[]) => objects.map((o) => `${o.kind}/${o.name}`).join(', ');

// Order matters: a hook Job that fails also reads "not ready", and a Helm 3 missing CRD also reads
// "unable to build kubernetes objects", which is a render error by helm's words.
const RULES: readonly Rule[] = [
  {
    // Raised by helmcycle itself before the CRD upgrade (crd-evolution/): its message carries no API words.
    class: 'crd-invalid-resources',
    test: (_text, error) => has(error, CrdInvalidResourcesError),
    detail: (text) => /refusing to upgrade CRD ([^\n]*)/.exec(text)?.[1] ?? '',
  },
  {
    class: 'crd-migration-blocked',
    test: (_text, error) => has(error, CrdMigrationBlockedError),
    detail: (text) => /cannot migrate the stored objects of CRD ([^\n]*)/.exec(text)?.[1] ?? '',
  },
  {
    class: 'unused-values',
    test: (_text, error) => has(error, UnusedValuesError),
    detail: (text) => /with (\d+ value\(s\)) it does not read/.exec(text)?.[1] ?? '',
  },
  {
    // Judged from what was seen, not from helm's words (helm says only that it was cancelled).
    class: 'readiness-failed',
    test: (_text, error) => has(error, ReadinessFailedError),
  },
  {
    class: 'chart-test-failed',
    test: (_text, error) => has(error, ChartTestFailedError),
    objects: (text) => matchAll(text, /\bpod ([a-z0-9][a-z0-9.-]*) failed\b/g, (m) => ({ kind: 'Pod', name: m[1]! })),
    detail: (_text, objects) => names(objects),
  },
  {
    class: 'stuck-release',
    test: (text, error) => has(error, ReleaseLockedError) || /another operation \(install\/upgrade\/rollback\) is in progress/i.test(text),
  },
  {
    // Two installs of a new release raced: helm's storage refuses the second record. Not a lock and not
    // bad values: the release exists now, and an upgrade of it is what the retry does.
    class: 'concurrent-install',
    test: (text) => /release: already exists|cannot re-use a name that is still in use/i.test(text),
  },
  {
    // Before missing-crd: the same "no matches for kind", but in the stored manifest helm upgrades from
    // (Helm 3 and 4 word it alike, for upgrade and rollback), which no CRD or chart change can fix.
    class: 'removed-api-in-release',
    test: (text) => /unable to build kubernetes objects from current release manifest|current release manifest contains removed kubernetes api/i.test(text),
    objects: (text) => matchAll(text, /resource mapping not found for name: "([^"]*)" namespace: "([^"]*)"[^\n]*?no matches for kind "([^"]+)" in version "([^"]+)"/g, (m) => ({ kind: m[3]!, name: m[1]!, namespace: m[2] || undefined, apiVersion: m[4] })),
    detail: (_text, objects) => objects.map((o) => `${o.kind}/${o.name} (${o.apiVersion})`).join(', '),
  },
  {
    class: 'missing-crd',
    test: (text) => /no matches for kind|ensure CRDs are installed first/i.test(text),
    objects: (text) => matchAll(text, /no matches for kind "([^"]+)" in version "([^"]+)"/g, (m) => ({ kind: m[1]!, name: '', apiVersion: m[2] })),
    detail: (_text, objects) => objects.map((o) => `${o.kind} (${o.apiVersion})`).join(', '),
  },
  {
    class: 'ownership-conflict',
    // Helm's ownership check, or (Helm 4, server-side apply) fields another field manager owns.
    test: (text) => /invalid ownership metadata|exists and cannot be imported into the current release|Apply failed with \d+ conflicts?/i.test(text),
    objects: (text) => [
      ...matchAll(text, /(\w+) "([^"]+)" in namespace "([^"]*)" exists and cannot be imported/g, (m) => ({ kind: m[1]!, name: m[2]!, namespace: m[3] || undefined })),
      ...matchAll(text, /applying object (?:([\w.-]+)\/)?([\w.-]+) [\w./]*, Kind=(\w+)/g, (m) => ({ kind: m[3]!, name: m[2]!, namespace: m[1] })),
    ],
    detail: (_text, objects) => names(objects),
  },
  {
    class: 'immutable-field',
    test: (text) => /field is immutable|Forbidden: updates to [\w ]+ (spec )?for fields other than/i.test(text),
    objects: (text) => matchAll(text, /([\w.]+) "([^"]+)" is invalid: [^\n]*?(?:field is immutable|Forbidden: updates to)/g, (m) => ({ kind: kindOf(m[1]!), name: m[2]! })),
    detail: (text, objects) => {
      const field = /is invalid: ([^:\s]+):/.exec(text)?.[1];
      return `${names(objects)}${field ? ` (${field})` : ''}`;
    },
  },
  {
    // Helm 4's hook wait (kstatus) reports a hook object gone before it read it as not ready, and waits
    // out its timeout: the hook completed and was deleted (its delete policy, a TTL), helm lost the race.
    // Only when every object it names is NotFound: one that Failed or still runs is the chart's failure.
    // Helm 3's hook wait takes a deletion as done; its "timed out waiting for the condition" says nothing
    // of why and stays a hook failure or a timeout.
    class: 'helm-wait-race',
    test: (text) => HOOK_FAILED.test(text) && /not ready\. status: NotFound\b/.test(text) && !/not ready\. status: (?!NotFound\b)/.test(text),
    objects: (text) => matchAll(text, /resource (\w+)\/([\w.-]*)\/([\w.-]+) not ready\. status: NotFound\b/g, (m) => ({ kind: m[1]!, name: m[3]!, namespace: m[2] || undefined })),
    detail: (_text, objects) => `${names(objects)} not found by helm's wait`,
  },
  {
    class: 'hook-failure',
    test: (text) => HOOK_FAILED.test(text) || /\bhook\b[^\n]*failed/i.test(text),
    objects: (text) => [
      ...matchAll(text, /\bjob ([\w.-]+) failed:/g, (m) => ({ kind: 'Job', name: m[1]! })),
      ...matchAll(text, /resource Job\/([\w.-]+)\/([\w.-]+) not ready/g, (m) => ({ kind: 'Job', name: m[2]!, namespace: m[1] })),
    ],
    detail: (_text, objects) => names(objects),
  },
  {
    class: 'admission-denied',
    test: (text) => /admission webhook "[^"]+" denied the request|ValidatingAdmissionPolicy '[^']+'.*denied request/i.test(text),
    detail: (text) => /(admission webhook "[^"]+" denied the request[^\n]*|ValidatingAdmissionPolicy '[^']+'[^\n]*)/i.exec(text)?.[1] ?? '',
  },
  {
    class: 'quota-denied',
    test: (text) => /exceeded quota/i.test(text),
    detail: (text) => /(exceeded quota: [^\n]*)/i.exec(text)?.[1] ?? '',
  },
  {
    class: 'rbac-denied',
    test: (text) => /is forbidden: User "[^"]+" cannot|cannot (get|list|watch|create|update|patch|delete) resource/i.test(text),
    detail: (text) => /(User "[^"]+" cannot [^\n]*)/.exec(text)?.[1] ?? '',
  },
  {
    class: 'invalid-values',
    test: (_text, error) => has(error, RenderError),
    // A schema error's first line names no key: the lines after it ("- at '/image': ...") are the detail.
    detail: (text) => /(YAML parse error[^\n]*|execution error at[^\n]*|values don't meet the specifications[^\n]*(?:\n[^\n]*:\n)?(?:\n?- [^\n]*)*|template: [^\n]*)/.exec(text)?.[1] ?? '',
  },
  {
    class: 'crd-in-use',
    test: (_text, error) => has(error, CrdInUseError),
    detail: (text) => /refusing to delete CRDs that still have custom resources: ([^\n]*)/.exec(text)?.[1] ?? '',
  },
  {
    // validate's wait judged an object other than a workload unhealthy: a workload's failure stays a
    // readiness-timeout, with its pods diagnosed.
    class: 'unhealthy-resource',
    test: (_text, error) => unhealthyResources(error).length > 0,
  },
  {
    class: 'readiness-timeout',
    test: (_text, error) => has(error, HelmTimeoutError) || has(error, RolledBackError) || has(error, ValidationError),
  },
];

/** The non-workload objects validate's health checks failed on. */
function unhealthyResources(error: unknown): MentionedObject[] {
  const failures = findCause(error, ValidationError)?.failures ?? [];
  return failures.flatMap((f) => (f.object && !WORKLOAD_KINDS.has(f.object.kind) ? [{ kind: f.object.kind, name: f.object.name, namespace: f.object.namespace }] : []));
}

function readinessDetail(error: unknown, diagnostics: Diagnostics | undefined): string {
  const validation = findCause(error, ValidationError);
  const failed = validation?.failures.map((f) => `${f.name}: ${f.message}`) ?? [];
  // Seen while helm waited: after an atomic rollback, the only account of which workload failed.
  const workloads = diagnostics?.workloads?.map((w) => `${w.kind}/${w.name} ${w.state.failed ? 'failed' : 'not ready'} (${w.state.message})`) ?? [];
  const pods = diagnostics?.unreadyPods.map((p) => {
    const why = p.containers.find((c) => !c.ready)?.reason ?? p.notReadyReason ?? p.phase;
    return `${p.name} (${why})`;
  }) ?? [];
  return [...failed, ...workloads, ...(pods.length ? [`pods not ready: ${pods.join(', ')}`] : [])].join('; ');
}

/** The workloads that did not become ready, as the objects a readiness failure names. */
function readinessObjects(diagnostics: Diagnostics | undefined): MentionedObject[] {
  return diagnostics?.workloads?.map((w) => ({ kind: w.kind, name: w.name, namespace: w.namespace })) ?? [];
}

/** The class of a failure, with the objects it names and a one-line summary. Pure. */
export function classifyFailure(error: unknown, diagnostics?: Diagnostics): FailureReport {
  const text = failureText(error);
  const rolledBack = has(error, RolledBackError) ? { helmRolledBack: true } : {};
  for (const rule of RULES) {
    if (!rule.test(text, error)) continue;
    const hopeless = rule.class === 'readiness-failed' ? findCause(error, ReadinessFailedError)?.finding : undefined;
    const objects = hopeless
      ? [{ kind: hopeless.kind, name: hopeless.name, namespace: hopeless.namespace }]
      : rule.class === 'readiness-timeout' ? readinessObjects(diagnostics)
      : rule.class === 'unhealthy-resource' ? unhealthyResources(error) : (rule.objects?.(text) ?? []);
    const detail = hopeless
      ? `${hopeless.kind}/${hopeless.name}: ${hopeless.reason}`
      : rule.class === 'readiness-timeout' || rule.class === 'unhealthy-resource' ? readinessDetail(error, diagnostics) : (rule.detail?.(text, objects) ?? '');
    return { class: rule.class, summary: `${FAILURE_CLASS_ADVICE[rule.class]}${detail ? `: ${detail}` : ''}`, objects, ...rolledBack };
  }
  // A transient API error stays `other` (no remedy fits a cluster that did not answer), with a note:
  // the helm and kube clients already retried it, with backoff, for as long as they safely could.
  const transient = transientReason(text);
  const note = transient ? `: transient API error (${transient}), retried while safe to repeat; run again once the API server answers` : '';
  return { class: 'other', summary: `${FAILURE_CLASS_ADVICE.other}${note}`, objects: [], ...rolledBack };
}
