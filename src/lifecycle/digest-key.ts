// The digest key of a namespace: 32 random bytes in a Secret (`helmcycle-digest-key`) beside the
// releases, made by the first apply that needs it. Sensitive values enter a release's digest only as an
// HMAC with it (digest.ts), so the digest on helm's argv cannot be used to test guesses at a password:
// the key never leaves the API server and this process (it is not on an argv, in an environment, a
// file, a log or the report), and whoever can read it can read the releases' values anyway.
//
// Stable across runs and runners (what "unchanged" needs), one per namespace (a run's namespaced rights
// suffice: helm itself needs Secrets there), left in place by destroy (the next install finds it).
// Plan only reads it: where there is none yet, no release can have a digest made with it, and plan says
// "upgrade" as the apply that creates it will do.
import { randomBytes } from 'node:crypto';
import type { ChartSpec } from '../config/chart-spec.js';
import { KubeRequestError } from '../errors.js';
import type { KubeClient, KubeObject } from '../kube/types.js';
import { digestNeedsKey, readDigestInput, releaseDigest } from './digest.js';

export const DIGEST_KEY_SECRET = 'helmcycle-digest-key';
const KEY_BYTES = 32;

/** The key a Secret holds; undefined when it holds none fit for use (too short: anyone could have set it). Pure. */
export function keyOfSecret(secret: KubeObject | undefined): Buffer | undefined {
  const encoded = (secret?.data as Record<string, unknown> | undefined)?.key;
  if (typeof encoded !== 'string') return undefined;
  const key = Buffer.from(encoded, 'base64');
  return key.length >= KEY_BYTES ? key : undefined;
}

function keySecret(namespace: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: DIGEST_KEY_SECRET,
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'helmcycle' },
      annotations: { 'helmcycle.dev/purpose': "keys the HMAC of sensitive values in the releases' helmcycle.dev/digest labels; deleting it makes the next apply upgrade each release with sensitive values once" },
    },
    type: 'Opaque',
    data: { key: randomBytes(KEY_BYTES).toString('base64') },
  };
}

const ref = (namespace: string) => ({ apiVersion: 'v1', kind: 'Secret', namespace, name: DIGEST_KEY_SECRET });

/** Keys found or made, per client (one client is one run): each namespace's Secret is read once a run. */
const known = new WeakMap<KubeClient, Map<string, Promise<Buffer | undefined>>>();

async function fetchKey(kube: KubeClient, namespace: string, create: boolean): Promise<Buffer | undefined> {
  try {
    const found = await kube.getObject(ref(namespace));
    if (found || !create) return keyOfSecret(found);
    try {
      return keyOfSecret(await kube.createObject(keySecret(namespace)));
    } catch (error) {
      // Another run made it at the same moment: theirs is the key.
      if (error instanceof KubeRequestError && error.statusCode === 409) return keyOfSecret(await kube.getObject(ref(namespace)));
      throw error;
    }
  } catch (error) {
    // Not allowed, or no namespace yet: no key, so the digest matches nothing and the release is upgraded.
    if (error instanceof KubeRequestError) return undefined;
    throw error;
  }
}

/** The namespace's digest key; `create`: made when missing (apply). undefined when there is none to be had. */
export function digestKey(kube: KubeClient, namespace: string, create: boolean): Promise<Buffer | undefined> {
  let keys = known.get(kube);
  if (!keys) known.set(kube, (keys = new Map()));
  const cached = keys.get(namespace);
  if (cached) return cached;
  const answer = fetchKey(kube, namespace, create);
  keys.set(namespace, answer);
  // Only a key is kept: a miss is asked again (a later chart may create it).
  answer.then((key) => { if (!key) keys.delete(namespace); }, () => keys.delete(namespace));
  return answer;
}

/**
 * The release digest of `spec` as labels carry it, for plan (`create` false) and apply (`create` true).
 * `revealsSecret`: whether a text holds a sensitive value of any chart of the stack. A chart whose
 * inputs hold none needs no key and makes no call.
 */
export async function releaseDigestOf(kube: KubeClient, spec: ChartSpec, chartVersion: string, transform: string | undefined, create: boolean, revealsSecret?: (text: string) => boolean): Promise<string> {
  const input = { ...(await readDigestInput(spec, chartVersion, undefined, transform)), revealsSecret };
  const key = digestNeedsKey(input) ? await digestKey(kube, spec.namespace, create) : undefined;
  return releaseDigest({ ...input, sensitiveKey: key });
}
