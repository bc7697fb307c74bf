// Resolves every chart's secrets of a stack (resolve-chart.ts) once per run, before anything is planned
// or applied, so the run's masker knows every value before any output is written. The age keys are
// read once, on the first SOPS file; the cluster is asked only for `ref+k8s://` references.
import { dirname } from 'node:path';
import type { KubeClient } from '../kube/types.js';
import { stackRoot } from './path-containment.js';
import type { ResolvedStack } from './types.js';
import type { AgeIdentitySet } from '../secrets/sops/age-identities.js';
import { builtinResolvers, realFolders } from '../secrets/refs/builtin-resolvers.js';
import { hasUnresolvedSecrets, resolveChartSecrets } from './resolve-chart-secrets.js';
import type { RefResolver } from '../secrets/refs/value-ref.js';

export interface StackSecretOptions {
  /** The run's cluster, for `ref+k8s://`; a function so that a stack without such references never connects. */
  kube?: (() => Promise<Pick<KubeClient, 'getObject'>>) | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** Folders outside the stack's root that `ref+file://` may read (--allow-path). */
  allowPaths?: readonly string[] | undefined;
  /** The stack's own resolvers (a TypeScript stack's `resolvers`), over the built-in ones. */
  resolvers?: Readonly<Record<string, RefResolver>> | undefined;
  /** The age keys; default: sops's places in `env` (age-identities.ts). */
  identities?: (() => Promise<AgeIdentitySet>) | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Marks a stack whose secrets were resolved, so that a second call (the CLI resolves, then runStack is
 * given the result) neither reads the cluster again nor lays a values file's references over it twice.
 * A symbol: it survives `{ ...stack }`, and no stack file can write it.
 */
const RESOLVED = Symbol('helmcycle.secretsResolved');

/** Whether any chart of the stack has secrets in its definition (values files aside). Pure. */
export function stackHasSecrets(stack: ResolvedStack): boolean {
  return stack.charts.some((chart) => hasUnresolvedSecrets(chart.definition));
}

/** The stack with each chart's SOPS files decrypted and references resolved (in values files too). */
export async function resolveStackSecrets(stack: ResolvedStack, options: StackSecretOptions = {}): Promise<ResolvedStack> {
  if ((stack as { [RESOLVED]?: true })[RESOLVED]) return stack;
  const env = options.env ?? process.env;
  const baseDir = stack.file ? dirname(stack.file) : process.cwd();
  let identities: Promise<AgeIdentitySet> | undefined;
  let kube: Promise<Pick<KubeClient, 'getObject'>> | undefined;
  const builtins = builtinResolvers({
    env,
    baseDir,
    allowedRoots: await realFolders([stack.file ? stackRoot(stack.file) : baseDir, ...(options.allowPaths ?? [])]),
    ...(options.kube
      ? {
          readObjectData: async (kind, namespace, name) => {
            kube ??= options.kube!();
            const object = await (await kube).getObject({ apiVersion: 'v1', kind, namespace, name });
            return (object as { data?: Record<string, string> } | undefined)?.data ?? (object ? {} : undefined);
          },
        }
      : {}),
  });
  const context = {
    identities: () => (identities ??= (options.identities ?? (async () => (await import('../secrets/sops/age-identities.js')).loadAgeIdentities(env)))()),
    resolvers: { ...builtins, ...(stack.resolvers ?? {}), ...(options.resolvers ?? {}) },
    signal: options.signal,
  };
  const charts = [];
  for (const chart of stack.charts) charts.push(await resolveChartSecrets(chart, context));
  return { ...stack, charts, [RESOLVED]: true } as ResolvedStack;
}
