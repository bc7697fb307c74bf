// apply, destroy and validate across the stack's targets: each target is probed (kubeconfig, context,
// one bounded GET /version: the environment check), then runs the whole stack with clients of its own,
// with the stack resolved for its environment. The fleet runner orders waves, limits parallelism and
// keeps the budget; this prints the target × chart matrix and writes the report.
import { writePrivateFile } from './private-file.js';
import { UsageError } from '../errors.js';
import { fleetMatrix, formatMatrix, formatMatrixJson, type TargetRow } from '../fleet/matrix.js';
import { runFleet, type FleetResult } from '../fleet/run-fleet.js';
import { selectTargets, type TargetSelection } from '../fleet/select-targets.js';
import type { FleetTarget } from '../stack/fleet-targets.js';
import type { HelmDebugLogger } from '../helm/debug-line.js';
import type { HelmClient } from '../helm/types.js';
import type { KubeClient } from '../kube/types.js';
import { maskerForSpecs } from '../secrets/sensitive.js';
import type { Masker } from '../secrets/masker.js';
import type { CommandFlags } from '../stack/chart-spec-of.js';
import type { StackEvent } from '../stack/events.js';
import type { Selection } from '../stack/select.js';
import type { StackResult } from '../stack/run-stack.js';
import type { ResolvedStack } from '../stack/types.js';
import { EXIT } from './exit-codes.js';

export interface FleetCommandOptions {
  /** The command and its flags, as the command line gave them (each target folds them with its stack). */
  flags: CommandFlags;
  stack: ResolvedStack;
  /** The stack resolved for another environment (a target's own). */
  stackFor: (environment: string | undefined) => Promise<ResolvedStack>;
  targetSelection: TargetSelection;
  selection: Selection;
  /** --kubeconfig / --kube-context: the default for a target that names no file / context of its own. */
  kubeconfig: string | undefined;
  kubeContext: string | undefined;
  helm: string | undefined;
  concurrency: number | undefined;
  lockTimeoutMs: number;
  output: 'text' | 'json';
  report: string | undefined;
  debug: HelmDebugLogger | undefined;
  signal: AbortSignal | undefined;
  stdout: (text: string) => void;
  /** The run's masker (every target's secrets), for plans' diffs; what is written is masked by the CLI anyway. */
  masker?: Masker;
  /** The clients of a target, instead of the kubeconfig's (tests: fakes); no environment probe then. */
  connect?: ((target: FleetTarget) => TargetClients) | undefined;
}

/** What a target's run talks to. */
export interface TargetClients {
  helm: HelmClient;
  kube: KubeClient;
}

/** The connection a target runs with: its own kubeconfig and context, else the command line's. */
export function connectionOf(target: FleetTarget, kubeconfig: string | undefined, kubeContext: string | undefined): { kubeconfig: string | undefined; kubeContext: string | undefined } {
  // A target's own kubeconfig has its own current context: the command line's context names one of another file.
  return { kubeconfig: target.kubeconfig ?? kubeconfig, kubeContext: target.kubeContext ?? (target.kubeconfig ? undefined : kubeContext) };
}

/** What each target gets: the stack resolved for its environment and clients of its own. */
export type PerTarget<R extends { ok: boolean }> = (stack: ResolvedStack, clients: TargetClients, signal: AbortSignal | undefined, target: FleetTarget) => Promise<R>;

/** Probes and runs `perTarget` on every selected target through the fleet runner. */
export async function acrossFleet<R extends { ok: boolean }>(o: Omit<FleetCommandOptions, 'flags' | 'lockTimeoutMs' | 'report'>, perTarget: PerTarget<R>) {
  const fleet = o.stack.fleet;
  if (!fleet) throw new UsageError('--targets, -t and --shard select targets, and this stack names none', 'add targets: to the stack file, or drop the option');
  const targets = selectTargets(fleet.targets, o.targetSelection);
  if (targets.length === 0) throw new UsageError('no target of the stack matches --targets, -t and --shard', `the stack's targets: ${fleet.targets.map((t) => t.name).join(', ')}`);
  const [{ checkEnvironment }, { createClients }] = await Promise.all([import('./environment-probe.js'), import('../clients.js')]);
  const stacks = new Map<string | undefined, Promise<ResolvedStack>>([[o.stack.environment, Promise.resolve(o.stack)]]);
  const stackOf = (target: FleetTarget) => {
    const env = target.environment ?? o.stack.environment;
    if (!stacks.has(env)) stacks.set(env, o.stackFor(env));
    return stacks.get(env)!;
  };
  const masker = maskerForSpecs([o.stack, ...(await Promise.all(targets.map(stackOf)))].flatMap((s) => s.charts.map((c) => c.definition)));
  const helmVersions = new Map<string, Awaited<ReturnType<typeof checkEnvironment>>['helmVersion']>();
  const say = (line: string) => o.output === 'text' && o.stdout(`${masker.mask(line)}\n`);
  const result: FleetResult<R> = await runFleet({
    targets,
    settings: fleet.settings,
    signal: o.signal,
    probe: async (target, signal) => {
      if (o.connect) return;
      const found = await checkEnvironment({ needs: 'cluster', ...connectionOf(target, o.kubeconfig, o.kubeContext), helm: o.helm, signal, debug: o.debug });
      helmVersions.set(target.name, found.helmVersion);
    },
    runTarget: async (target, signal) => {
      if (o.connect) return perTarget(await stackOf(target), o.connect(target), signal, target);
      const connection = connectionOf(target, o.kubeconfig, o.kubeContext);
      const helmVersion = helmVersions.get(target.name);
      const clients = createClients({
        releaseView: 'run',
        ...(connection.kubeconfig ? { kubeconfig: connection.kubeconfig } : {}),
        ...(connection.kubeContext ? { kubeContext: connection.kubeContext } : {}),
        ...(o.helm ? { helmBinary: o.helm } : {}),
        ...(o.debug ? { debug: o.debug } : {}),
        ...(helmVersion ? { helmVersion } : {}),
      });
      return perTarget(await stackOf(target), clients, signal, target);
    },
    onEvent: (event) => say(event.type === 'target-started' ? `▶ ${event.target}${event.wave ? ` (wave ${event.wave})` : ''}` : `${event.status === 'succeeded' ? '✔' : '✖'} ${event.target}: ${event.status}`),
  });
  return { result, masker };
}

export async function runFleetCommand(o: FleetCommandOptions): Promise<number> {
  const { runStack, selectedCharts } = await import('../stack/run-stack.js');
  const events = new Map<string, StackEvent[]>();
  const { result, masker } = await acrossFleet(o, (stack, clients, signal, target) => {
    const seen: StackEvent[] = [];
    events.set(target.name, seen);
    // The command's flags, folded with the target's stack by runStack (runSettingsOf), as planFleet folds them.
    return runStack(stack, {
      ...clients,
      ...o.flags,
      ...(o.concurrency ? { concurrency: o.concurrency } : {}),
      lockTimeoutMs: o.lockTimeoutMs,
      selection: o.selection,
      ...(signal ? { signal } : {}),
      onEvent: (event) => seen.push(event),
    });
  });
  // Masked with every target's secrets before the report holds them (one chart's output can name another's value).
  for (const [target, seen] of events) events.set(target, seen.map((e) => masker.maskDeep(e)));
  const charts = selectedCharts(o.stack, o.selection).map((c) => c.name);
  const rows = fleetMatrix(result, charts, masker.mask);
  if (o.output === 'json') o.stdout(formatMatrixJson(rows, result.ok));
  else o.stdout(`${formatMatrix(rows, charts)}\n`);
  if (o.report) await writeFleetReport(o.report, rows, result.ok, events);
  if (o.signal?.aborted) return EXIT.interrupted;
  return result.ok ? EXIT.ok : EXIT.chartFailed;
}

/**
 * `--report FILE`: FILE.json gets the matrix as JSON; any other name an HTML page with the matrix, and
 * beside it one HTML run report per target (FILE's name + `.TARGET.html`), linked from the matrix.
 * Private to the owner (0600), as the single-cluster report: it holds the runs' error messages.
 */
async function writeFleetReport(path: string, rows: readonly TargetRow[], ok: boolean, events: ReadonlyMap<string, StackEvent[]>): Promise<void> {
  if (path.endsWith('.json')) {
    await writePrivateFile(path, JSON.stringify({ ok, targets: rows }, null, 2));
    return;
  }
  const [{ buildReport }, { escapeXml }] = await Promise.all([import('../report/html.js'), import('../report/escape.js')]);
  const base = path.replace(/\.html?$/, '');
  const name = base.split('/').pop()!;
  for (const [target, seen] of events) await writePrivateFile(`${base}.${target}.html`, buildReport(seen));
  const charts = rows[0]?.charts.map((c) => c.chart) ?? [];
  const cell = (text: string) => `<td class="${escapeXml(text.replace(/\W/g, '-'))}">${escapeXml(text)}</td>`;
  const body = rows
    .map((r) => `<tr><th>${events.has(r.target) ? `<a href="${escapeXml(`${name}.${r.target}.html`)}">${escapeXml(r.target)}</a>` : escapeXml(r.target)}</th>${cell(r.wave ?? '-')}${r.charts.map((c) => cell(c.status)).join('')}${cell(r.status)}<td>${escapeXml(r.reason ?? '')}</td></tr>`)
    .join('\n');
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>helmcycle fleet</title><style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:left}.failed,.unreachable{color:#b00}.not-started{color:#888}</style></head><body><h1>helmcycle fleet: ${ok ? 'ok' : 'not ok'}</h1><table><tr><th>target</th><th>wave</th>${charts.map((c) => `<th>${escapeXml(c)}</th>`).join('')}<th>target status</th><th>reason</th></tr>\n${body}</table></body></html>\n`;
  await writePrivateFile(path, html);
}
