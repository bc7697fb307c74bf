// `helmcycle init`: writes a typed one-chart stack to start from (cli/init.ts), never over a file.
import type { Command } from 'commander';
import type { CommandHost } from '../command-context.js';
import type { InitOptions } from '../init.js';

export function register(program: Command, host: CommandHost): void {
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
      const config = host.options().config;
      host.setResult((await import('../init.js')).runInit({ ...o, ...(config ? { config } : {}) }, host.io.cwd ?? process.cwd(), host.io.stdout));
    });
}
