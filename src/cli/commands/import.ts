// `helmcycle import <helmfile>`: writes a helmcycle stack from a helmfile.yaml (cli/import.ts), listing
// what it cannot convert.
import type { Command } from 'commander';
import type { CommandHost } from '../command-context.js';
import type { ImportOptions } from '../import.js';

export function register(program: Command, host: CommandHost): void {
  program
    .command('import')
    .description('write a helmcycle stack from a helmfile.yaml, listing what it cannot convert')
    .argument('<helmfile>', 'the helmfile.yaml to convert')
    .option('--ts', 'write a TypeScript stack (helmcycle.config.ts) instead of YAML (helmcycle.yaml)')
    .option('--out <file>', 'the file to write (default: helmcycle.yaml, or helmcycle.config.ts with --ts)')
    .option('--force', 'replace the file if it exists')
    .option('--all-environments', "convert every environment of the helmfile into the stack's environments (the default; -e converts one)")
    .option('--check', "compare the written stack with helmfile's own rendering (runs the helmfile binary from PATH, which runs what the helmfile says); exit 1 on a difference or when it cannot compare")
    .action((helmfile: string, o: ImportOptions) => {
      const globals = host.options();
      const options: ImportOptions = { ...o, ...(globals.env !== undefined ? { env: globals.env } : {}), output: globals.output };
      host.setResult((async () => {
        const [{ runImport }, { helmfileProcess }] = await Promise.all([import('../import.js'), import('../helmfile-process.js')]);
        const checkWith = { helmfile: host.deps.helmfile ?? helmfileProcess, nested: host.nested, globals: { helm: globals.helm, kubeconfig: globals.kubeconfig, kubeContext: globals.kubeContext, allowPath: globals.allowPath } };
        return runImport(helmfile, options, host.io.cwd ?? process.cwd(), host.io, checkWith);
      })());
    });
}
