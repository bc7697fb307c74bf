// The helmfile.yaml keys helmcycle reads, checked with zod. Objects are loose on purpose: a key helmcycle
// does not know is not an error here but an item of the "not converted" list (see convert.ts), so that
// nothing of the user's file is dropped without a word. A wrong type of a known key is an input error.
import { z } from 'zod';

const stringish = z.union([z.string(), z.number(), z.boolean()]).transform(String);

export const helmfileRepositorySchema = z.looseObject({
  name: z.string().min(1),
  url: z.string().min(1),
  oci: z.boolean().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  caFile: z.string().optional(),
  certFile: z.string().optional(),
  keyFile: z.string().optional(),
  insecureSkipTLSVerify: z.boolean().optional(),
  passCredentials: z.boolean().optional(),
  plainHttp: z.boolean().optional(),
});

/** helmfile's `set:`/`setString:` entry: one value by its path, or a list joined by commas. */
const setEntrySchema = z.looseObject({
  name: z.string().min(1),
  value: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  values: z.array(stringish).optional(),
  file: z.string().optional(),
});

const hookSchema = z.looseObject({ events: z.array(z.string()).optional(), command: z.string().optional(), args: z.array(z.string()).optional() });

export const helmfileReleaseSchema = z.looseObject({
  /** Without one, the release is named after its chart (release-names.ts). */
  name: z.string().min(1).optional(),
  chart: z.string().min(1),
  namespace: z.string().optional(),
  version: stringish.optional(),
  createNamespace: z.boolean().optional(),
  /** Files (strings) and inline values maps, in order. */
  values: z.array(z.union([z.string(), z.record(z.string(), z.unknown())])).optional(),
  /** SOPS-encrypted values files (helm-secrets), applied after `values`. */
  secrets: z.array(z.union([z.string(), z.record(z.string(), z.unknown())])).optional(),
  set: z.array(setEntrySchema).optional(),
  setString: z.array(setEntrySchema).optional(),
  wait: z.boolean().optional(),
  waitForJobs: z.boolean().optional(),
  timeout: z.number().int().optional(),
  atomic: z.boolean().optional(),
  force: z.boolean().optional(),
  cleanupOnFail: z.boolean().optional(),
  historyMax: z.number().int().optional(),
  skipCRDs: z.boolean().optional(),
  disableHooks: z.boolean().optional(),
  labels: z.record(z.string(), stringish).optional(),
  needs: z.array(z.string().min(1)).optional(),
  installed: z.union([z.boolean(), z.string()]).optional(),
  hooks: z.array(hookSchema).optional(),
  /** helm --verify, against `keyring` (helm's default keyring when none). */
  verify: z.boolean().optional(),
  keyring: z.string().optional(),
});

export const helmfileEnvironmentSchema = z.looseObject({
  values: z.array(z.union([z.string(), z.record(z.string(), z.unknown())])).optional(),
});

export const helmDefaultsSchema = z.looseObject({
  wait: z.boolean().optional(),
  waitForJobs: z.boolean().optional(),
  timeout: z.number().int().optional(),
  atomic: z.boolean().optional(),
  createNamespace: z.boolean().optional(),
  force: z.boolean().optional(),
  cleanupOnFail: z.boolean().optional(),
  historyMax: z.number().int().optional(),
  skipCRDs: z.boolean().optional(),
  disableHooks: z.boolean().optional(),
});

export const helmfileDocumentSchema = z.looseObject({
  repositories: z.array(helmfileRepositorySchema).optional(),
  releases: z.array(helmfileReleaseSchema).default([]),
  environments: z.record(z.string(), z.union([helmfileEnvironmentSchema, z.null()])).optional(),
  helmDefaults: helmDefaultsSchema.optional(),
  commonLabels: z.record(z.string(), stringish).optional(),
  values: z.array(z.union([z.string(), z.record(z.string(), z.unknown())])).optional(),
});

export type HelmfileDocument = z.output<typeof helmfileDocumentSchema>;
export type HelmfileRelease = z.output<typeof helmfileReleaseSchema>;
export type HelmfileRepository = z.output<typeof helmfileRepositorySchema>;
export type HelmfileSetEntry = z.output<typeof setEntrySchema>;

/** The keys each part of a helmfile.yaml has that convert.ts handles; any other key is listed. */
export const KNOWN_KEYS = {
  document: ['repositories', 'releases', 'environments', 'helmDefaults', 'commonLabels'],
  repository: ['name', 'url', 'oci', 'username', 'password', 'caFile', 'certFile', 'keyFile', 'insecureSkipTLSVerify', 'passCredentials', 'plainHttp'],
  release: ['name', 'chart', 'namespace', 'version', 'createNamespace', 'values', 'secrets', 'set', 'setString', 'wait', 'waitForJobs', 'timeout', 'atomic', 'force', 'cleanupOnFail', 'historyMax', 'skipCRDs', 'disableHooks', 'labels', 'needs', 'installed', 'verify', 'keyring'],
  environment: ['values'],
  helmDefaults: ['wait', 'waitForJobs', 'timeout', 'atomic', 'createNamespace', 'force', 'cleanupOnFail', 'historyMax', 'skipCRDs', 'disableHooks'],
} as const;
