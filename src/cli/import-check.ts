// Drives `import --check` (import/check.ts) for the CLI: the environments the import wrote, each with
// the stack's charts resolved there, helmcycle's own `template` of the written stack run in this process
// (its output masked by a masker this check owns, which then masks helmfile's rendering too, so a SOPS
// value compares as *** on both sides and is never printed), and the helmfile binary behind its seam.
import { resolveStack } from '../stack/load.js';
import type { StackDefinition } from '../stack/types.js';
import { createRunMasker, type RunMasker } from '../secrets/sensitive.js';
import { checkImport, type CheckedEnvironment, type CheckResult, type HelmfileProcess } from '../import/check.js';
import type { CliIo } from './cli-io.js';

export interface ImportCheckDeps {
  helmfile: HelmfileProcess;
  nested(argv: readonly string[], io: CliIo, masker: RunMasker): Promise<number>;
}

export interface ImportCheckInput {
  helmfile: string;
  helmfileDir: string;
  out: string;
  stack: StackDefinition;
  /** The helmfile environment the stack's charts come from. */
  baseEnvironment: string;
  /** The global options a nested `template` needs (helm binary, cluster access, allowed folders). */
  globals: { helm?: string | undefined; kubeconfig?: string | undefined; kubeContext?: string | undefined; allowPath?: readonly string[] };
  cwd: string;
}

export async function runImportCheck(input: ImportCheckInput, deps: ImportCheckDeps): Promise<CheckResult> {
  const chartsIn = (environment: string | undefined) => resolveStack(input.stack, { file: input.out, ...(environment ? { environment } : {}) }).charts.map((c) => ({ name: c.name, definition: c.definition as unknown as Record<string, unknown> }));
  const environments: CheckedEnvironment[] = [
    { helmfileEnvironment: input.baseEnvironment, stackEnvironment: undefined, charts: chartsIn(undefined) },
    ...Object.keys(input.stack.environments ?? {}).map((name) => ({ helmfileEnvironment: name, stackEnvironment: name, charts: chartsIn(name) })),
  ];
  const masker = createRunMasker();
  const { globals } = input;
  const global = [
    '-c', input.out,
    ...(globals.helm ? ['--helm', globals.helm] : []),
    ...(globals.kubeconfig ? ['--kubeconfig', globals.kubeconfig] : []),
    ...(globals.kubeContext ? ['--kube-context', globals.kubeContext] : []),
    ...(globals.allowPath ?? []).flatMap((path) => ['--allow-path', path]),
  ];
  return checkImport({ file: input.helmfile, dir: input.helmfileDir, helmBinary: globals.helm }, environments, {
    helmfile: deps.helmfile,
    mask: (text) => masker.mask(text),
    render: async (environment) => {
      let stdout = '';
      let stderr = '';
      const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: false, cwd: input.cwd };
      const code = await deps.nested([...global, ...(environment ? ['--env', environment] : []), 'template'], io, masker);
      return { code, stdout, stderr };
    },
  });
}
