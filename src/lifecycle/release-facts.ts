// Reads what classifyRelease needs about one release, for plan and exec alike: its history and the
// recovery it needs (only when failed or pending), whether it recorded this spec's digest, whether a
// backup an interrupted reinstall left is waiting, and the drift of its live objects (only when the
// latest revision is deployed and the spec does not ignore drift; see DriftReading). Reads only; the backup's content is
// not kept, only the names of the objects in it.
import type { ChartSpec } from '../config/chart-spec.js';
import { detectReleaseDrift } from '../drift/detect.js';
import type { CallOptions, HelmClient, ReleaseInfo } from '../helm/types.js';
import { changedAt } from '../kube/recent-reads.js';
import type { KubeClient, KubeObject } from '../kube/types.js';
import { readBackup } from '../toolkit/backup.js';
import { planRecovery, readRecoveryInputs } from './recovery.js';
import { deployedWithDigest } from './release-labels.js';
import type { ReleaseFacts } from './release-state.js';

function describe(object: KubeObject): string {
  return `${object.kind}/${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
}

/**
 * When drift is read: 'deployed' (plan, which shows it for any deployed release), or 'in-sync' (exec: only
 * where it decides, a release whose digest matches; an upgrade's decision does not depend on it, and
 * reading every object before each upgrade would cost a GET per object for nothing).
 */
export type DriftReading = 'deployed' | 'in-sync';

/** The facts about `release` (as helm status found it) for a deploy of `spec` whose digest is `digest`. */
export async function readReleaseFacts(
  helm: HelmClient,
  kube: KubeClient,
  spec: Pick<ChartSpec, 'name' | 'namespace' | 'ignoreDrift' | 'backup'>,
  release: ReleaseInfo | undefined,
  digest: string,
  options: CallOptions = {},
  driftReading: DriftReading = 'deployed',
): Promise<ReleaseFacts> {
  // Drift is measured against what runs: only a deployed latest revision runs as its manifest says. The
  // objects the chart backs up are left out (drift/detect.ts says why).
  const deployed = release?.status === 'deployed' && !spec.ignoreDrift ? release : undefined;
  // A deployed release's objects and backup may be read from a run's recent lists of the namespace, when
  // those were taken after its last deploy (recent-reads.ts); anything else (no release, a failed or
  // pending one, a time helm did not record) is read live.
  const since = release?.status === 'deployed' ? changedAt(release.updated) : undefined;
  const recent = since === undefined ? undefined : { notBefore: since };
  const readDrift = () => detectReleaseDrift(helm, kube, { release: spec.name, namespace: spec.namespace, revision: deployed!.revision }, options, spec.backup, { recent });
  const [recoveryInputs, digestMatches, backup, early] = await Promise.all([
    readRecoveryInputs(helm, release, options),
    deployedWithDigest(kube, release, digest),
    readBackup(kube, { release: spec.name, namespace: spec.namespace }, recent),
    deployed && driftReading === 'deployed' ? readDrift() : undefined,
  ]);
  const drift = early ?? (deployed && digestMatches ? await readDrift() : undefined);
  return {
    release,
    history: recoveryInputs?.history ?? [],
    recovery: recoveryInputs && release ? planRecovery(release, recoveryInputs.history, recoveryInputs.major) : { kind: 'none' },
    digestMatches,
    pendingBackup: backup?.map(describe),
    drift,
  };
}
