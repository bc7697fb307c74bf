// What every command is given: the process's I/O, the global options, and one run's means (the stack,
// the clients, the environment check, the renderer), each loaded only when a command asks for it:
// `helmcycle --help` starts without the Kubernetes client, the config loader (zod, yaml, tsx), the
// renderers or the diff library. Loaded at start-up: it imports types and Node's path only.
import { delimiter, resolve } from 'node:path';
import type { HelmVersion } from '../helm/types.js';
import type { RunMasker } from '../secrets/sensitive.js';
import type { CommandFlags } from '../stack/chart-spec-of.js';
import type { ResolvedStack } from '../stack/types.js';
import type { FleetTarget } from '../stack/fleet-targets.js';
import type { HelmfileProcess } from '../import/check.js';
import type { TargetClients } from './fleet-command.js';
import type { GlobalOptions } from './global-options.js';
import type { CliIo } from './cli-io.js';
import type { Renderer } from './render/types.js';

/** The flags of apply and destroy (and those plan records for apply FILE); folded with the stack by runSettingsOf. */
export type RunFlags = Omit<CommandFlags, 'command'>;

/** What the commands can be given instead of the real world (tests: fakes behind the project's interfaces). */
export interface CommandDeps {
  /** The clients of each fleet target, instead of its kubeconfig's; no environment probe then. */
  connectTarget?: (target: FleetTarget) => TargetClients;
  /** The helmfile binary import --check asks (tests: a fake). */
  helmfile?: HelmfileProcess;
}

/** What a command file registers its command with (commands/<name>.ts). */
export interface CommandHost {
  io: CliIo;
  /** The global options, as parsed (read when the command runs). */
  options(): GlobalOptions;
  /** Hands the command's outcome to main, which waits for it and turns an error into its exit code. */
  setResult(result: Promise<number>): void;
  /** A run's context, made when the command runs (after the options are parsed). */
  context(): CommandContext;
  /**
   * Another command line run in this process, its output masked by `masker` (import --check renders the
   * stack it wrote with `template` and masks helmfile's rendering with the same masker).
   */
  nested(argv: readonly string[], io: CliIo, masker: RunMasker): Promise<number>;
  /** What the commands may be given instead of the real world. */
  deps: CommandDeps;
}

export class CommandContext {
  /** Found by the environment check, handed to the helm client so that it does not run `helm version` again. */
  private helmVersion: HelmVersion | undefined;

  constructor(
    readonly io: CliIo,
    readonly options: GlobalOptions,
    readonly argv: readonly string[],
    /** The run's masker (main's): every stack this run loads adds its secrets to it. */
    readonly masker: RunMasker,
    readonly deps: CommandDeps = {},
  ) {}

  /** --allow-path, and HELMCYCLE_ALLOW_PATHS (folders separated as in PATH): what the runner lets a YAML stack read. */
  private allowPaths(): string[] {
    return [...this.options.allowPath, ...(process.env.HELMCYCLE_ALLOW_PATHS ?? '').split(delimiter).filter(Boolean)];
  }

  /** The stack -c names, or discovery finds, for --env (or `environment`, a saved plan's); `secrets: false` leaves its secrets sealed (list). */
  stack(environment = this.options.env, secrets = true): Promise<ResolvedStack> {
    return this.load(environment, secrets);
  }

  /**
   * The stack -c names, or discovery finds, for `environment` (a fleet target's), its SOPS files decrypted
   * and `ref+` values resolved (in memory; `ref+k8s://` reads the run's cluster); its secrets are masked
   * in all the run writes from then on.
   */
  async load(environment: string | undefined, secrets = true): Promise<ResolvedStack> {
    const { loadStack } = await import('../stack/load.js');
    const loaded = await loadStack(this.options.config, { ...(environment ? { environment } : {}), ...(this.io.cwd ? { cwd: this.io.cwd } : {}), allowPaths: this.allowPaths() });
    const { resolveStackSecrets } = await import('../stack/resolve-secrets.js');
    const stack = secrets ? await resolveStackSecrets(loaded, { kube: async () => (await this.clients()).kube, allowPaths: this.allowPaths().map((dir) => resolve(this.io.cwd ?? process.cwd(), dir)), signal: this.io.signal }) : loaded;
    this.masker.add(stack.charts.map((c) => c.definition));
    return stack;
  }

  async clients() {
    const { createClients } = await import('../clients.js');
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

  /** `--debug`: where each helm process's line goes (stderr), for the run's helm client and the environment check alike. */
  readonly debugLine = (line: string) => this.io.stderr(`${line}\n`);

  /** Once, before any chart runs: a wrong kubeconfig, context, API server or helm is one clear error (exit 2). */
  async checkEnvironment(needs: 'cluster' | 'local'): Promise<void> {
    const { checkEnvironment } = await import('./environment-probe.js');
    const found = await checkEnvironment({ needs, kubeconfig: this.options.kubeconfig, kubeContext: this.options.kubeContext, helm: this.options.helm, signal: this.io.signal, ...(this.options.debug ? { debug: this.debugLine } : {}) });
    this.helmVersion = found.helmVersion;
  }

  selection() {
    return { selectors: this.options.selector, only: this.options.only };
  }

  outputChoice() {
    return { output: this.options.output, color: this.options.color, terminal: this.io.terminal };
  }

  async renderer(): Promise<Renderer> {
    const { chooseRenderer } = await import('./render/choose.js');
    return chooseRenderer({ ...this.outputChoice(), interactive: this.io.interactive, reportPath: this.options.report, write: (line) => this.io.stdout(`${line}\n`) });
  }
}
