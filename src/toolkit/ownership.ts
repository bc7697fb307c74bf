// Adopting resources that exist outside Helm (a cloud's CNI DaemonSet, a Secret an operator made): Helm
// takes over an existing object on install only when it carries the release's ownership metadata, and
// otherwise fails with "invalid ownership metadata". These helpers write that metadata.
import { HelmcycleError } from '../errors.js';
import type { KubeClient, KubeObject, ObjectRef } from '../kube/types.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const RELEASE_NAME_ANNOTATION = 'meta.helm.sh/release-name';
export const RELEASE_NAMESPACE_ANNOTATION = 'meta.helm.sh/release-namespace';

export interface ReleaseIdentity {
  release: string;
  namespace: string;
}

/**
 * The merge patch that hands an object to a release. Helm 4 applies server-side, so the fields the
 * object's creator wrote stay owned by that field manager too: the upgrade that adopts it must take
 * them over (helm --force-conflicts, which the `adopt` spec option turns on under Helm 4). Pure.
 */
export function ownershipPatch(owner: ReleaseIdentity): { metadata: { labels: Record<string, string>; annotations: Record<string, string> } } {
  return {
    metadata: {
      labels: { [MANAGED_BY_LABEL]: 'Helm' },
      annotations: { [RELEASE_NAME_ANNOTATION]: owner.release, [RELEASE_NAMESPACE_ANNOTATION]: owner.namespace },
    },
  };
}

/** The release an object belongs to by Helm's metadata, or undefined. Pure. */
export function releaseOwnerOf(object: KubeObject): ReleaseIdentity | undefined {
  const annotations = object.metadata.annotations ?? {};
  const release = annotations[RELEASE_NAME_ANNOTATION];
  const namespace = annotations[RELEASE_NAMESPACE_ANNOTATION];
  return release && namespace ? { release, namespace } : undefined;
}

/** Whether Helm would take the object over for this release as it is. Pure. */
export function isOwnedBy(object: KubeObject, owner: ReleaseIdentity): boolean {
  const current = releaseOwnerOf(object);
  return object.metadata.labels?.[MANAGED_BY_LABEL] === 'Helm' && current?.release === owner.release && current.namespace === owner.namespace;
}

export class OwnershipConflictError extends HelmcycleError {
  constructor(message: string, options: { chart?: string } = {}) {
    super('OWNERSHIP_CONFLICT', message, {
      ...options,
      hint: 'another release owns it: uninstall that release, or remove its meta.helm.sh annotations if it is truly abandoned',
    });
  }
}

export interface AdoptResult {
  /** kind/name of each object newly labelled for the release. */
  adopted: string[];
  /** Objects that already belonged to the release. */
  alreadyOwned: string[];
  /** Objects that do not exist (nothing to adopt; the install will create them). */
  missing: string[];
}

function describe(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/**
 * Labels and annotates each existing object so that the release's next install or upgrade takes it over.
 * Refuses (before changing anything) when an object belongs to a different release: stealing it would
 * let the other release's uninstall delete it.
 */
export async function adoptResources(kube: KubeClient, owner: ReleaseIdentity, refs: readonly ObjectRef[]): Promise<AdoptResult> {
  const found = await Promise.all(refs.map(async (ref) => ({ ref, live: await kube.getObject(ref) })));
  for (const { ref, live } of found) {
    const current = live && releaseOwnerOf(live);
    if (current && (current.release !== owner.release || current.namespace !== owner.namespace)) {
      throw new OwnershipConflictError(`${describe(ref)} belongs to release ${current.namespace}/${current.release}, not ${owner.namespace}/${owner.release}`);
    }
  }
  const result: AdoptResult = { adopted: [], alreadyOwned: [], missing: [] };
  for (const { ref, live } of found) {
    if (!live) result.missing.push(describe(ref));
    else if (isOwnedBy(live, owner)) result.alreadyOwned.push(describe(ref));
    else {
      await kube.patchObject(ref, ownershipPatch(owner));
      result.adopted.push(describe(ref));
    }
  }
  return result;
}
