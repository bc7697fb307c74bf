// The `helmcycle` command: parses the command line, loads the stack, and runs one command. `main`
// returns the exit code instead of exiting, so tests can drive it in-process as well as via the binary.
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { delimiter } from 'node:path';
import { isHelmcycleError, UsageError } from '../errors.js';
import type { CommandFlags } from '../stack/chart-spec-of.js';
import type { StackCommand, StackEvent } from '../stack/events.js';
import type { StackResult } from '../stack/run-stack.js';
import type { ResolvedStack } from '../stack/types.js';
import type { Selection } from '../stack/select.js';
import { DEFAULT_CONCURRENCY } from '../stack/concurrency.js';
import { EXIT, exitCodeForError, failedRunExitCode, statusExitCode } from './exit-codes.js';
import { createRunMasker, type RunMasker } from '../secrets/sensitive.js';
import type { Renderer } from './render/types.js';
import type { TerminalStream } from './render/tree.js';
import type { InitOptions } from './init.js';
import type { ImportOptions } from './import.js';
import { helmcycleVersion } from '../version.js';
import { checkReportOption } from './report-option.js';
import type { HelmVersion } from '../helm/types.js';
import { KUBE_VERSION_HINT, KUBE_VERSION_PATTERN } from '../upgrade/kube-version.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Live tree output when true (a terminal, not CI). */
  interactive: boolean;
  /** stdout when it is a terminal: the live tree draws on it, and output is coloured (see render/palette.ts). */
  terminal?: TerminalStream;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
  /** Told the command chosen, before it runs (entry.ts: a closed pipe ends an output-only command early). */
  onCommand?: (name: string) => void;
  /** Asks a person on the terminal (destroy's confirmation); absent when stdin is not a TTY. */
  ask?: (question: string) => Promise<string | undefined>;
  cwd?: string;
}

/** The flags of apply and destroy (and those plan records for apply FILE); folded with the stack by runSettingsOf. */
type RunFlags = Omit<CommandFlags, 'command'>;

interface GlobalOptions {
  config?: string;
  env?: string;
  selector: string[];
  only: string[];
  kubeconfig?: string;
  kubeContext?: string;
  helm?: string;
  concurrency?: number;
  output: 'text' | 'json';
  report?: string;
  lockTimeout: number;
  debug?: boolean;
  /** false with --no-color. */
  color: boolean;
  targets: string[];
  targetLabel: string[];
  shard?: string;
  /** Folders outside its repository a YAML stack may read (path-containment.ts). */
  allowPath: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];
const commaList = (value: string, previous: string[]) => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
/** Seconds, as `--lock-timeout 5m`, `90s` or `90`. */
export function parseDuration(value: string): number {
  const match = /^(\d+)(s|m|h)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected a duration such as 90s, 5m or 1h');
  return Number(match[1]) * ({ s: 1, m: 60, h: 3600 } as const)[(match[2] ?? 's') as 's' | 'm' | 'h'];
}

/** --kube-version: a Kubernetes version (src/upgrade/kube-version.ts), as given. */
function kubeVersionArgument(value: string): string {
  if (!KUBE_VERSION_PATTERN.test(value.trim())) throw new InvalidArgumentError(`expected ${KUBE_VERSION_HINT}`);
  return value.trim();
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError('expected a whole number from 1 to 64');
  return n;
}

// What the commands need, loaded only when one runs: `helmcycle --help` starts without the Kubernetes
// client, the config loader (zod, yaml, tsx), the renderers or the diff library.
const clientsModule = () => import('../clients.js');
const loadModule = () => import('../stack/load.js');
const runStackModule = () => import('../stack/run-stack.js');
const inspectModule = () => import('../stack/inspect.js');
const formatModule = () => import('./format.js');

class CliRun {
  /** Found by the environment check, handed to the helm client so that it does not run `helm version` again. */
  private helmVersion: HelmVersion | undefined;

  constructor(
    private readonly io: CliIo,
    private readonly options: GlobalOptions,
    private readonly argv: readonly string[] = [],
    /** The run's masker (main's): every stack this run loads adds its secrets to it. */
    private readonly masker: RunMasker = createRunMasker(),
  ) {}

  /** --allow-path, and HELMCYCLE_ALLOW_PATHS (folders separated as in PATH): what the runner lets a YAML stack read. */
  private allowPaths(): string[] {
    return [...this.options.allowPath, ...(process.env.HELMCYCLE_ALLOW_PATHS ?? '').split(delimiter).filter(Boolean)];
  }

  /** A stack file loaded for this run; its secrets are masked in all the run writes from then on. */
  private async load(config: string | undefined, environment: string | undefined): Promise<ResolvedStack> {
    const { loadStack } = await loadModule();
    const stack = await loadStack(config, { ...(environment ? { environment } : {}), ...(this.io.cwd ? { cwd: this.io.cwd } : {}), allowPaths: this.allowPaths() });
    this.masker.add(stack.charts.map((c) => c.definition));
    return stack;
  }

  /** The stack -c names, or discovery finds, for --env (or `environment`, a saved plan's). */
  private stack(environment = this.options.env): Promise<ResolvedStack> {
    return this.load(this.options.config, environment);
  }

  private async clients() {
    const { createClients } = await clientsModule();
    // One command is one run: each namespace's release records are read once (helm/release-snapshot.ts).
    return createClients({
      releaseView: 'run',
      ...(this.options.kubeconfig ? { kubeconfig: this.options.kubeconfig } : {}),
      ...(this.options.kubeContext ? { kubeContext: this.options.kubeContext } : {}),
      ...(this.options.helm ? { helmBinary: this.options.helm } : {}),
      ...(this.options.debug ? { debug: this.debugLine } : {}),
      ...(this.helmVersion ? { helmVersion: this.helmVersion } : {}),
    });
  }

  /** Once, before any chart runs: a wrong kubeconfig, context, API server or helm is one clear error (exit 2). */
  /** `--debug`: where each helm process's line goes (stderr), for the run's helm client and the environment check alike. */
  private readonly debugLine = (line: string) => this.io.stderr(`${line}\n`);

  private async checkEnvironment(needs: 'cluster' | 'local'): Promise<void> {
    const { checkEnvironment } = await import('./environment-probe.js');
    const found = await checkEnvironment({ needs, kubeconfig: this.options.kubeconfig, kubeContext: this.options.kubeContext, helm: this.options.helm, signal: this.io.signal, ...(this.options.debug ? { debug: this.debugLine } : {}) });
    this.helmVersion = found.helmVersion;
  }

  private selection() {
    return { selectors: this.options.selector, only: this.options.only };
  }

  private outputChoice() {
    return { output: this.options.output, color: this.options.color, terminal: this.io.terminal };
  }

  private async renderer(): Promise<Renderer> {
    const { chooseRenderer } = await import('./render/choose.js');
    return chooseRenderer({ ...this.outputChoice(), interactive: this.io.interactive, reportPath: this.options.report, write: (line) => this.io.stdout(`${line}\n`) });
  }

  /** `from`: the stack and selection of a saved plan (apply FILE), instead of the command line's. */
  /** --targets, -t, --shard: which of the stack's targets a fleet run covers. */
  private async targetSelection() {
    const { parseShard } = await import('../fleet/shard.js');
    return { names: this.options.targets, labels: this.options.targetLabel, ...(this.options.shard ? { shard: parseShard(this.options.shard) } : {}) };
  }

  private fleetAsked(): boolean {
    return this.options.targets.length > 0 || this.options.targetLabel.length > 0 || this.options.shard !== undefined;
  }

  /** What every fleet command shares (cli/fleet-command.ts). */
  private async fleetOptions(stack: ResolvedStack) {
    return {
      stack,
      // Each target's stack adds its secrets to the run's masker, which masks every line written.
      stackFor: (environment: string | undefined) => this.load(this.options.config, environment),
      masker: this.masker,
      targetSelection: await this.targetSelection(),
      selection: this.selection(),
      kubeconfig: this.options.kubeconfig,
      kubeContext: this.options.kubeContext,
      helm: this.options.helm,
      concurrency: this.options.concurrency,
      output: this.options.output,
      debug: this.options.debug ? this.debugLine : undefined,
      signal: this.io.signal,
      stdout: this.io.stdout,
    };
  }

  /** A stack with targets runs across them; a target option on one without is refused there. */
  private async runFleet(command: StackCommand, stack: ResolvedStack, flags: RunFlags): Promise<number> {
    const { runFleetCommand } = await import('./fleet-command.js');
    return runFleetCommand({ ...(await this.fleetOptions(stack)), flags: { ...flags, command }, lockTimeoutMs: this.options.lockTimeout * 1_000, report: this.options.report });
  }

  async run(command: StackCommand, flags: RunFlags, from?: { stack: ResolvedStack; selection: Selection }): Promise<number> {
    const stack = from?.stack ?? (await this.stack());
    if (!from && (stack.fleet || this.fleetAsked())) return this.runFleet(command, stack, flags);
    await this.checkEnvironment('cluster');
    const events: StackEvent[] = [];
    const renderer = await this.renderer();
    const { runStack } = await runStackModule();
    const clients = await this.clients();
    // Each chart masks its own events; the run's masker masks every chart's secrets in all of them, for
    // the renderers and the report alike (one chart's output can name another's value).
    this.masker.add(stack.charts.map((c) => c.definition));
    const masker = this.masker;
    let result: StackResult;
    try {
      // The flags as given: runStack folds them with the stack's settings (runSettingsOf), as plan does.
      result = await runStack(stack, {
        ...clients,
        ...flags,
        command,
        ...(this.options.concurrency ? { concurrency: this.options.concurrency } : {}),
        lockTimeoutMs: this.options.lockTimeout * 1_000,
        selection: from?.selection ?? this.selection(),
        ...(this.io.signal ? { signal: this.io.signal } : {}),
        onEvent: (event) => {
          const masked = masker.maskDeep(event);
          events.push(masked);
          renderer.event(masked);
        },
      });
    } finally {
      renderer.close();
      if (this.options.report) await (await import('./run-report.js')).writeRunReport(this.options.report, events, { argv: this.argv, clients, kubeconfig: this.options.kubeconfig, mask: masker.mask });
    }
    if (this.options.output !== 'json') await this.printFailures(result, masker.mask);
    if (result.interrupted) return EXIT.interrupted;
    if (result.ok) return EXIT.ok;
    return failedRunExitCode(result.charts.filter((c) => c.status === 'failed').map((c) => c.error));
  }

  /** `apply FILE`: the saved plan, checked against the stack -c names (or discovery finds) and the cluster, then applied as planned. */
  async applySaved(file: string, flags: RunFlags): Promise<number> {
    if (this.fleetAsked()) throw new UsageError(`${file} is the plan of one cluster`, 'drop --targets, -t and --shard; nothing was changed');
    const { prepareSavedPlan, serverOf } = await import('./saved-plan.js');
    const prepared = await prepareSavedPlan(file, {
      given: { ...this.options, ...flags },
      // Never the plan's own stack path: a plan file is data, and names nothing that is run.
      loadStack: (environment) => this.stack(environment),
      connect: async () => {
        const { helm, kube } = await this.clients();
        return { helm, kube, server: serverOf(kube.config) };
      },
      signal: this.io.signal,
    });
    return this.run(prepared.flags.command, prepared.flags, prepared);
  }

  /** `destroy`: asks on a terminal, needs --yes anywhere else; declined, it changes nothing (exit 1). */
  async destroy(flags: { failFast?: boolean; yes?: boolean }): Promise<number> {
    const { requireConfirmable, confirmDestroy } = await import('./confirm.js');
    requireConfirmable(this.io, flags.yes ?? false);
    const stack = await this.stack();
    const { selectedCharts } = await runStackModule();
    const charts = selectedCharts(stack, this.selection()).map((c) => c.name);
    const fleet = stack.fleet || this.fleetAsked();
    const where = fleet ? `targets ${(await import('../fleet/select-targets.js')).selectTargets(stack.fleet?.targets ?? [], await this.targetSelection()).map((t) => t.name).join(', ')}` : this.options.kubeContext;
    if (!flags.yes && !(await confirmDestroy(this.io, stack.name, charts, where))) return EXIT.chartFailed;
    if (fleet) return this.runFleet('destroy', stack, flags);
    return this.run('destroy', flags, { stack, selection: this.selection() });
  }

  private async printFailures(result: StackResult, mask: (text: string) => string): Promise<void> {
    for (const record of result.charts) {
      if (record.status !== 'failed') continue;
      const error = record.error;
      this.io.stderr(mask(`\n✖ ${record.name}: ${error instanceof Error ? error.message : String(error)}\n`));
      if (isHelmcycleError(error) && error.hint) this.io.stderr(mask(`  hint: ${error.hint}\n`));
    }
    if (result.rollback) {
      const { describeRollbackStep } = await import('../stack/stack-rollback-plan.js');
      this.io.stderr(`\nstack rollback (${result.rollback.length} step(s), reverse dependency order):\n`);
      for (const step of result.rollback) this.io.stderr(mask(`  ${step.ok ? '↺' : '✖'} ${describeRollbackStep(step)}${step.error ? `: FAILED: ${step.error}` : ''}\n`));
    }
  }

  async plan(flags: RunFlags & { destroy?: boolean; detailedExitcode?: boolean; out?: string; kubeVersion?: string; failOn?: 'deprecated' | 'removed' }): Promise<number> {
    const stack = await this.stack();
    const given = { ...flags, command: flags.destroy ? ('destroy' as const) : ('apply' as const) };
    const [{ formatPlan }, { paletteFor }, { detailedPlanExitCode, failOnExitCode }] = await Promise.all([formatModule(), import('./render/choose.js'), import('./plan-exit.js')]);
    const format = (plans: Parameters<typeof formatPlan>[0]) => formatPlan(plans, { paint: paletteFor(this.outputChoice()) });
    if (stack.fleet || this.fleetAsked()) {
      if (flags.out) throw new UsageError('plan --out saves the plan of one cluster, and this plan covers a fleet', 'plan one target with --kubeconfig/--kube-context on a stack without targets, or drop --out');
      const { code, plans } = await (await import('./fleet-inspect.js')).planFleet(await this.fleetOptions(stack), given, format);
      return failOnExitCode(plans, flags.failOn, flags.detailedExitcode && code === EXIT.ok ? detailedPlanExitCode(plans) : code);
    }
    await this.checkEnvironment('cluster');
    const { planCluster } = await import('./plan-command.js');
    const plans = await planCluster(stack, given, { clients: await this.clients(), selection: this.selection(), concurrency: this.options.concurrency, output: this.options.output, format, out: flags.out, stdout: this.io.stdout, signal: this.io.signal, masker: this.masker });
    return failOnExitCode(plans, flags.failOn, flags.detailedExitcode ? detailedPlanExitCode(plans) : EXIT.ok);
  }

  async status(): Promise<number> {
    const stack = await this.stack();
    if (stack.fleet || this.fleetAsked()) {
      const [{ statusFleet }, { formatStatus }] = await Promise.all([import('./fleet-inspect.js'), formatModule()]);
      return statusFleet(await this.fleetOptions(stack), formatStatus);
    }
    await this.checkEnvironment('cluster');
    const [{ selectedCharts, concurrencyFor }, { chartStatus, mapLimit }, { formatStatus }] = await Promise.all([runStackModule(), inspectModule(), formatModule()]);
    const clients = await this.clients();
    const statuses = await mapLimit(selectedCharts(stack, this.selection()), concurrencyFor(stack, this.options.concurrency), (c) => chartStatus(c, clients));
    const code = statusExitCode(statuses);
    if (this.options.output === 'json') {
      for (const s of statuses) this.io.stdout(`${JSON.stringify({ type: 'status', ...s })}\n`);
      const count = (health: string) => statuses.filter((s) => s.health === health).length;
      this.io.stdout(`${JSON.stringify({ type: 'status-summary', ready: count('ready'), degraded: count('degraded'), notInstalled: count('not-installed'), exitCode: code })}\n`);
    } else this.io.stdout(`${formatStatus(statuses)}\n`);
    return code;
  }

  async template(): Promise<number> {
    const stack = await this.stack();
    await this.checkEnvironment('local');
    const [{ selectedCharts }, { chartSpecOf }, { templateRequest }, { postRendererFor }] = await Promise.all([runStackModule(), import('../stack/chart-spec-of.js'), import('../lifecycle/requests.js'), import('../lifecycle/transform.js')]);
    const { runViewOf, endRunView } = await import('../helm/storage-backed-client.js');
    // A run's view: each chart fetched, and each local chart's dependencies built, once.
    const helm = runViewOf((await this.clients()).helm);
    try {
      for (const chart of selectedCharts(stack, this.selection())) {
        const spec = chartSpecOf(chart.definition, chart.file);
        // Through the chart's transform, as apply renders it.
        const postRender = postRendererFor(spec, chart.definition.transform);
        const manifest = await helm.template({ ...templateRequest(spec), postRender }, { ...(this.io.signal ? { signal: this.io.signal } : {}) });
        // Rendered output goes to terminals and CI logs too: the stack's sensitive values show as ***.
        this.io.stdout(this.masker.mask(`# chart: ${chart.name}\n${manifest.trimEnd()}\n---\n`));
      }
    } finally {
      await endRunView(helm);
    }
    return EXIT.ok;
  }

  async list(): Promise<number> {
    const stack = await this.stack();
    const [{ selectedCharts }, { formatList }] = await Promise.all([runStackModule(), formatModule()]);
    const charts = selectedCharts(stack, this.selection());
    if (this.options.output === 'json') for (const c of charts) this.io.stdout(`${JSON.stringify({ type: 'chart', name: c.name, namespace: c.definition.namespace ?? 'default', chart: c.definition.chart, version: c.definition.version, needs: c.needs, labels: c.definition.labels ?? {} })}\n`);
    else this.io.stdout(`${formatList(charts)}\n`);
    return EXIT.ok;
  }
}

function buildProgram(io: CliIo, setResult: (p: Promise<number>) => void, argv: readonly string[] = [], masker: RunMasker = createRunMasker()): Command {
  const program = new Command('helmcycle')
    .description('A programmable lifecycle around Helm: stacks of charts in dependency order, with plan, recovery and validation.')
    .option('-c, --config <file>', 'stack file (helmcycle.config.ts or helmcycle.yaml; found in the current folder by default)')
    .option('-e, --env <name>', 'environment whose defaults and overrides apply')
    .option('-l, --selector <selector>', "only charts whose labels match (key=value, key!=value, 'key in (a,b)', 'key notin (a,b)', key, !key; repeatable: any may match)", collect, [])
    .option('--only <names>', 'only these charts (comma-separated; repeatable)', commaList, [])
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG or ~/.kube/config)')
    .option('--kube-context <name>', 'kubeconfig context')
    .option('--helm <path>', 'helm binary (default: HELMCYCLE_HELM or helm on PATH)')
    .option('--concurrency <n>', `charts at once (default ${DEFAULT_CONCURRENCY})`, positiveInt)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--report <file>', 'write an HTML report of the run (apply, destroy, validate)')
    .option('--no-color', 'no colours (also with NO_COLOR, or when the output is not a terminal)')
    .option('--allow-path <dir>', "a folder outside the stack's repository that a YAML stack may read files from (repeatable)", collect, [])
    .option('--lock-timeout <duration>', 'how long to wait for another run that holds a release (e.g. 90s, 5m), then refuse', parseDuration, 300)
    .version(helmcycleVersion(), '-V, --version', "print helmcycle's version")
    .option('--targets <names>', "only these of the stack's targets (comma-separated; repeatable)", commaList, [])
    .option('-t, --target-label <key=value>', 'only targets with this label (repeatable: every one must match)', collect, [])
    .option('--shard <i/n>', 'only the i-th of n deterministic parts of the targets (one CI job each)')
    .option('--debug', "print each helm command (secrets masked) with its duration to stderr")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .hook('preAction', (_program, action) => io.onCommand?.(action.name()));
  // Before any command runs: --report only where a report is written, and to a file that can be.
  program.hook('preAction', async (_program, action) => {
    const report = await checkReportOption(action.name(), program.opts<GlobalOptions>().report, io.cwd ?? process.cwd());
    if (report) program.setOptionValue('report', report);
  });
  const cli = () => new CliRun(io, program.opts<GlobalOptions>(), argv, masker);
  program
    .command('init')
    .description('write a typed stack file for one chart to start from (never overwrites one)')
    .option('--format <format>', 'ts (helmcycle.config.ts, the default), mts, js or yaml; -c FILE names the file instead')
    .option('--chart <chart>', "the chart: a name in --repo, a local folder or .tgz, or an oci:// reference (default: an example, podinfo)")
    .option('--repo <url>', 'the chart repository the chart is in')
    .option('--chart-version <version>', 'an exact chart version or a semver range')
    .option('--namespace <name>', "the release's namespace (default: the release name; created when missing)")
    .option('--name <name>', 'the release name (default: from the chart)')
    .action(async (o: Omit<InitOptions, 'config'>) => {
      const config = program.opts<GlobalOptions>().config;
      setResult((await import('./init.js')).runInit({ ...o, ...(config ? { config } : {}) }, io.cwd ?? process.cwd(), io.stdout));
    });
  program
    .command('import')
    .description('write a helmcycle stack from a helmfile.yaml, listing what it cannot convert')
    .argument('<helmfile>', 'the helmfile.yaml to convert')
    .option('--ts', 'write a TypeScript stack (helmcycle.config.ts) instead of YAML (helmcycle.yaml)')
    .option('--out <file>', 'the file to write (default: helmcycle.yaml, or helmcycle.config.ts with --ts)')
    .option('--force', 'replace the file if it exists')
    .action((helmfile: string, o: ImportOptions) => setResult(import('./import.js').then(({ runImport }) => runImport(helmfile, o, io.cwd ?? process.cwd(), io))));
  program
    .command('plan')
    .description('show what apply (or destroy) would do to each chart, and why; changes nothing')
    .option('--destroy', 'plan a destroy instead of an apply')
    .option('--force-upgrade', 'plan as if every chart had changed')
    .option('--detailed-exitcode', 'exit 0 when nothing would change, 2 when something would, 1 on an error or a predicted failure')
    .option('--out <file>', "save the plan (private, no secrets) for 'helmcycle apply <file>'")
    .option('--ignore-drift', 'do not compare live objects with the deployed manifests')
    .option('--fail-fast', "with --out: the saved plan's apply cancels every chart when one fails")
    .option('--rollback-stack-on-failure', "with --out: the saved plan's apply puts back every release it changed when a chart fails for good")
    .option('--no-rollback-stack-on-failure', "with --out: it does not, whatever the stack's rollbackStackOnFailure says")
    .option('--kube-version <version>', "check rendered and stored manifests against the APIs removed or deprecated up to this Kubernetes version (default: the target's or stack's kubeVersion, else the server's, removed APIs only)", kubeVersionArgument)
    .addOption(new Option('--fail-on <level>', 'exit 6 when an API is removed (or, with deprecated, deprecated too) at the version checked').choices(['deprecated', 'removed']))
    .action((o: RunFlags & { destroy?: boolean; detailedExitcode?: boolean; out?: string; kubeVersion?: string; failOn?: 'deprecated' | 'removed' }) => setResult(import('./plan-exit.js').then(({ withDetailedErrors }) => withDetailedErrors(cli().plan(o), o.detailedExitcode ?? false))));
  program
    .command('apply')
    .description('deploy the charts in dependency order, or apply a plan saved by plan --out')
    .argument('[plan-file]', "a plan saved by 'plan --out': applied exactly, with its flags (none of the flags below), refused (exit 5) if the stack file, a release, its drift or a decision moved since")
    .option('--fail-fast', 'cancel every chart when one fails')
    .option('--force-upgrade', 'upgrade charts even when nothing changed')
    .option('--rollback-stack-on-failure', "when a chart fails for good, put back every release this run changed (reverse dependency order); wins over the stack's rollbackStackOnFailure")
    .option('--no-rollback-stack-on-failure', "do not, whatever the stack's rollbackStackOnFailure says")
    .option('--ignore-drift', 'leave live objects that differ from the deployed manifests as they are')
    .action((planFile: string | undefined, o: RunFlags) => setResult(planFile ? cli().applySaved(planFile, o) : cli().run('apply', o)));
  program
    .command('destroy')
    .description('uninstall the charts in reverse dependency order')
    .option('--fail-fast', 'cancel every chart when one fails')
    .option('-y, --yes', 'do not ask for confirmation (needed where there is no terminal: CI, pipes, scripts)')
    .action((o: { failFast?: boolean; yes?: boolean }) => setResult(cli().destroy(o)));
  program.command('status').description("each release's revision, chart version and health").action(() => setResult(cli().status()));
  program.command('template').description('render the charts locally').action(() => setResult(cli().template()));
  program.command('validate').description('run only the validate phase against what is deployed').action(() => setResult(cli().run('validate', {})));
  program.command('list').description('the charts of the stack').action(() => setResult(cli().list()));
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .action((shell: 'bash' | 'zsh' | 'fish') => setResult(import('./completion.js').then(({ completionScript }) => (io.stdout(completionScript(program, shell)), EXIT.ok))));
  return program;
}

/**
 * Runs one command. Everything it writes, on every path (output, --debug lines, a chart's failure, an
 * error of any command, a transform's exception), goes through the run's masker: once a stack is
 * loaded, no line can show one of its secrets (or a target's), whoever wrote the line.
 */
export async function main(argv: readonly string[], given: CliIo): Promise<number> {
  const masker = createRunMasker();
  const io: CliIo = { ...given, stdout: (text) => given.stdout(masker.mask(text)), stderr: (text) => given.stderr(masker.mask(text)) };
  let result: Promise<number> | undefined;
  const program = buildProgram(io, (p) => (result = p), argv, masker);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    if (!result) {
      io.stderr(program.helpInformation());
      return EXIT.badInput;
    }
    return await result;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : (await import('./plan-exit.js')).usageErrorCode(argv);
    }
    const interrupted = io.signal?.aborted ?? false;
    io.stderr(`helmcycle: ${error instanceof Error ? error.message : String(error)}\n`);
    if (isHelmcycleError(error) && error.hint) io.stderr(`  hint: ${error.hint}\n`);
    return exitCodeForError(error, interrupted);
  }
}
