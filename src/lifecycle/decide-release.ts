// Observe, classify, decide for one release: the one path from "the release as helm status found it"
// to the decision, which exec acts on, plan shows and a saved plan is checked against. Reads only.
import type { ChartSpec } from '../config/chart-spec.js';
import type { CallOptions, HelmClient, ReleaseInfo } from '../helm/types.js';
import type { KubeClient } from '../kube/types.js';
import { decideDeploy, type Decision } from './decide.js';
import { releaseDigestOf } from './digest-key.js';
import { readReleaseFacts, type DriftReading } from './release-facts.js';
import { classifyRelease, type ReleaseFacts } from './release-state.js';
import { transformFingerprint, type ManifestTransform } from './transform.js';

export interface ReleaseDecisionInput {
  helm: HelmClient;
  kube: KubeClient;
  spec: ChartSpec;
  transform: ManifestTransform | undefined;
  /** The release as helm status found it. */
  found: ReleaseInfo | undefined;
  /** The chart version that would be installed; undefined when unknown. */
  targetVersion: string | undefined;
  /** A migration step asked for a reinstall, for this reason. */
  reinstallRequested?: string | undefined;
  /** preExec already recovered the release in this run. */
  recovered?: boolean;
  /** Which releases' drift is read (release-facts.ts); plan reads every deployed one's to show it. */
  driftReading?: DriftReading;
  /** Apply makes the namespace's digest key when missing; plan only reads it (digest-key.ts). */
  createDigestKey?: boolean;
  /** Whether a text holds a sensitive value of any chart of the run (the run's masker). */
  revealsSecret?: ((text: string) => boolean) | undefined;
  options?: CallOptions;
}

export interface ReleaseDecision {
  facts: ReleaseFacts;
  decision: Decision;
  /** The digest the release records when this spec is deployed. */
  digest: string;
}

export async function decideRelease(input: ReleaseDecisionInput): Promise<ReleaseDecision> {
  const { spec, targetVersion } = input;
  // Sensitive values enter it only as an HMAC with the namespace's digest key.
  const digest = await releaseDigestOf(input.kube, spec, targetVersion || spec.version || '', transformFingerprint(input.transform), input.createDigestKey ?? false, input.revealsSecret);
  const facts = await readReleaseFacts(input.helm, input.kube, spec, input.found, digest, input.options ?? {}, input.driftReading);
  const decision = decideDeploy({
    view: classifyRelease(facts),
    spec,
    targetVersion,
    ...(input.reinstallRequested ? { reinstallRequested: input.reinstallRequested } : {}),
    ...(input.recovered ? { recovered: true } : {}),
  });
  return { facts, decision, digest };
}
