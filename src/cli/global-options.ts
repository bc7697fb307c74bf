// The options every command shares (before the command's name: `helmcycle -c stack.yaml plan`), and
// their parsers. Loaded at start-up, so it imports nothing but commander and what --help prints.
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_CONCURRENCY } from '../stack/concurrency.js';
import { helmcycleVersion } from '../version.js';

export interface GlobalOptions {
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

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError('expected a whole number from 1 to 64');
  return n;
}

/** The program with its description and global options, in the order --help lists them. */
export function programWithGlobalOptions(): Command {
  return new Command('helmcycle')
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
    .option('--debug', 'print each helm command (secrets masked) with its duration to stderr');
}
