// Default checkPrerequisites: fail early, before anything changes, on what would make the deploy fail
// later: unreadable values files, a chart that does not resolve, helm or the cluster not answering, or
// a caller who may not do the job.
import { access, constants, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isHelmcycleError, PrerequisiteError } from '../../errors.js';
import { SERVER_VERSION_FACT } from '../../helm/run-facts.js';
import { rulesAllow } from '../../kube/access-rules.js';
import { probeNamespace } from '../../kube/namespace.js';
import type { AccessQuery } from '../../kube/types.js';
import { chartSource, isLocalChart } from '../requests.js';
import type { ChartPayload, PhaseContext } from '../types.js';

async function checkValuesFiles(ctx: PhaseContext<ChartPayload>): Promise<void> {
  for (const [index, file] of ctx.spec.valuesFiles.entries()) {
    try {
      await access(resolve(file), constants.R_OK);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'is not readable';
      throw new PrerequisiteError(`chart '${ctx.spec.name}': valuesFiles[${index}]: ${file} ${reason}`, {
        chart: ctx.spec.name,
        hint: 'fix the path (relative paths resolve from the working directory)',
      });
    }
  }
}

async function checkLocalChart(ctx: PhaseContext<ChartPayload>): Promise<void> {
  if (!isLocalChart(ctx.spec)) return;
  const path = resolve(ctx.spec.chart);
  const info = await stat(path).catch(() => undefined);
  const ok = info?.isFile() || (info?.isDirectory() && (await stat(resolve(path, 'Chart.yaml')).catch(() => undefined))?.isFile());
  if (!ok) {
    throw new PrerequisiteError(`chart '${ctx.spec.name}': chart: ${ctx.spec.chart} is not a chart directory or package`, {
      chart: ctx.spec.name,
      hint: 'give a folder holding Chart.yaml, a .tgz, a name with repository, or an oci:// reference',
    });
  }
}

/**
 * Whether the caller may do these things. Namespaced rights come from one rules review per namespace
 * and run; creating a Namespace (cluster-scoped, which a namespace's rules review also lists from its
 * RoleBindings without granting it) and anything an incomplete review leaves open ask an access review.
 */
async function firstDenied(ctx: PhaseContext<ChartPayload>, queries: readonly AccessQuery[]): Promise<AccessQuery | undefined> {
  const namespace = ctx.spec.namespace;
  const rules = await ctx.helm.remember(`rules:${namespace}`, () => ctx.kube.reviewRules(namespace)).catch(() => undefined);
  for (const query of queries) {
    const answer = rules && query.namespace === namespace ? rulesAllow(rules, query) : 'unknown';
    const allowed = answer === 'unknown' ? (await ctx.kube.canI(query)).allowed : answer === 'allowed';
    if (!allowed) return query;
  }
  return undefined;
}

async function checkAccess(ctx: PhaseContext<ChartPayload>, namespaceExists: boolean): Promise<void> {
  const { namespace } = ctx.spec;
  // Helm keeps release state in Secrets of the release's namespace.
  const verbs = ctx.spec.action === 'destroy' ? ['get', 'delete'] : ['get', 'create', 'update'];
  const queries: AccessQuery[] = verbs.map((verb) => ({ verb, resource: 'secrets', namespace }));
  if (ctx.spec.action === 'deploy' && !namespaceExists) queries.push({ verb: 'create', resource: 'namespaces', namespace: '' });
  const denied = await firstDenied(ctx, queries);
  if (denied) {
    throw new PrerequisiteError(
      `chart '${ctx.spec.name}': not allowed to ${denied.verb} ${denied.resource}${denied.namespace ? ` in namespace ${denied.namespace}` : ''}`,
      { chart: ctx.spec.name, hint: 'use a kubeconfig whose user has these rights, or ask for them' },
    );
  }
}

export async function checkPrerequisites<P extends ChartPayload>(ctx: PhaseContext<P>, payload: P): Promise<P> {
  const base = ctx as unknown as PhaseContext<ChartPayload>;
  await checkValuesFiles(base);
  // An uninstall needs no chart: a destroy (or a prune, whose release's chart is only a name recorded
  // in the inventory) goes on when the chart's folder is gone.
  if (ctx.spec.action !== 'destroy') await checkLocalChart(base);
  // Not asked of helm here: a run that changes nothing starts no helm process (the version is asked
  // when a helm command is about to run; the version cache may know it already).
  const helmVersion = await ctx.helm.knownVersion();
  // Once per run: the server's version, and a namespace known to exist (a missing one may be created
  // by an earlier chart of the run, so that answer is asked again).
  const kubeVersion = await ctx.helm.remember(SERVER_VERSION_FACT, () => ctx.kube.serverVersion(ctx.signal));
  const namespaceState = await ctx.helm.remember(`namespace:${ctx.spec.namespace}`, () => probeNamespace(ctx.kube, ctx.spec.namespace), (state) => state !== 'missing');
  // A caller who may not read Namespaces but has rights inside this one (checked below) works in a
  // namespace someone made for it: going on is what helm would do.
  if (namespaceState === 'forbidden') ctx.log(`may not read namespace ${ctx.spec.namespace}; taking it as existing (a namespaced deployer)`);
  const namespaceExists = namespaceState !== 'missing';
  if (ctx.spec.action === 'deploy' && !namespaceExists && !ctx.spec.createNamespace) {
    throw new PrerequisiteError(`chart '${ctx.spec.name}': namespace: ${ctx.spec.namespace} does not exist`, {
      chart: ctx.spec.name,
      hint: 'create it first, or set createNamespace: true',
    });
  }
  await checkAccess(base, namespaceExists);
  // Resolving the chart also tells exec which version it will install (for breaking-version checks).
  const chart = ctx.spec.action === 'deploy'
    ? await ctx.helm.showChart(chartSource(ctx.spec), { signal: ctx.signal }).catch((error: unknown) => {
        // A chart that resolved but is not the pinned or signed one says so itself, with its own hint.
        const refused = isHelmcycleError(error) && (error.code === 'CHART_DIGEST_MISMATCH' || error.code === 'CHART_PROVENANCE_FAILED');
        throw new PrerequisiteError(refused ? `chart '${ctx.spec.name}': ${error.message}` : `chart '${ctx.spec.name}': chart: ${ctx.spec.chart} does not resolve: ${(error as Error).message}`, {
          chart: ctx.spec.name,
          cause: error,
          hint: refused ? error.hint : 'check the chart name, repository URL, version constraint and credentials',
        });
      })
    : { name: ctx.spec.chart, version: '', appVersion: undefined, kubeVersion: undefined };
  ctx.log(`${helmVersion ? `helm ${helmVersion.version}, ` : ''}cluster ${kubeVersion}, chart ${chart.name} ${chart.version}`.trim());
  return { ...payload, prerequisites: { ...(helmVersion ? { helmVersion } : {}), kubeVersion, chart, namespaceExists } };
}
