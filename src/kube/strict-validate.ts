// Strict schema validation of rendered objects by the API server, before helm changes anything. Helm
// checks the objects client-side against the server's OpenAPI document, which costs every helm process a
// download and parse of ~2 MB and, against a server that takes the fieldValidation parameter, does not
// even refuse an unknown field (Helm 3 then sends its patches with the server's default, Warn). Here each
// object goes through a server-side apply dry run instead: the server refuses a field its schema does not
// declare ("spec.replicaz"), and nothing is stored. Only schema refusals count: a missing namespace, an
// unserved kind (its CRD comes with the chart), a forbidden read or an admission answer are for helm to
// meet as before. (The kube client's dryRunApply of the drift branch may absorb this call later.)
import { HelmcycleError, KubeRequestError } from '../errors.js';
import { parseManifest } from './manifest.js';
import type { KubeClient, KubeObject } from './types.js';

/** The field manager of the dry runs; nothing is stored under it. */
export const VALIDATE_FIELD_MANAGER = 'helmcycle-validate';

/** How many dry runs are in flight at once. */
const CONCURRENCY = 8;

/** What the API server answers for an object its schema does not accept. */
const SCHEMA_REFUSAL = /field not declared in schema|unknown field|strict decoding error|duplicate field/i;

export interface InvalidObject {
  /** Kind/namespace/name. */
  object: string;
  /** The server's words, which name the field. */
  reason: string;
}

export class StrictValidationError extends HelmcycleError {
  readonly invalid: readonly InvalidObject[];
  constructor(chart: string, invalid: readonly InvalidObject[]) {
    super('HELM_RENDER_FAILED', `chart ${chart} renders objects the API server refuses: ${invalid.map((i) => `${i.object}: ${i.reason}`).join('; ')}`, {
      chart,
      hint: 'fix the field names in the chart or its values; nothing was changed',
    });
    this.invalid = invalid;
  }
}

function describe(object: KubeObject): string {
  return `${object.kind}/${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
}

/** The schema refusal in an error, when that is what it is. Pure. */
export function schemaRefusal(error: unknown): string | undefined {
  if (!(error instanceof KubeRequestError)) return undefined;
  if (error.statusCode !== 400 && error.statusCode !== 422 && error.statusCode !== 500) return undefined;
  return SCHEMA_REFUSAL.test(error.message) ? error.message : undefined;
}

/** The namespace is not there yet (helm --create-namespace makes it): a dry run in it answers 404. */
function namespaceMissing(error: unknown): boolean {
  return error instanceof KubeRequestError && error.statusCode === 404 && /namespaces? "[^"]*" not found/.test(error.message);
}

async function refusalOf(kube: KubeClient, object: KubeObject): Promise<InvalidObject | undefined> {
  const dryRun = (candidate: KubeObject) => kube.applyObject(candidate, { fieldManager: VALIDATE_FIELD_MANAGER, force: true, dryRun: true });
  try {
    try {
      await dryRun(object);
    } catch (error) {
      if (!namespaceMissing(error)) throw error;
      // The schema is the same in every namespace: check the object in "default" instead.
      await dryRun({ ...object, metadata: { ...object.metadata, namespace: 'default' } });
    }
    return undefined;
  } catch (error) {
    const reason = schemaRefusal(error);
    return reason === undefined ? undefined : { object: describe(object), reason };
  }
}

/** Every object of `manifest` the API server's schema refuses, found by dry runs; nothing is changed. */
export async function findSchemaRefusals(kube: KubeClient, manifest: string, namespace: string): Promise<InvalidObject[]> {
  const objects = parseManifest(manifest, namespace);
  const invalid: InvalidObject[] = [];
  for (let start = 0; start < objects.length; start += CONCURRENCY) {
    const batch = await Promise.all(objects.slice(start, start + CONCURRENCY).map((object) => refusalOf(kube, object)));
    for (const item of batch) if (item) invalid.push(item);
  }
  return invalid;
}

/** Throws StrictValidationError, naming each object and field, when the server refuses any object. */
export async function validateStrictly(kube: KubeClient, chart: string, manifest: string, namespace: string): Promise<void> {
  const invalid = await findSchemaRefusals(kube, manifest, namespace);
  if (invalid.length) throw new StrictValidationError(chart, invalid);
}
