// `import --check`: the imported stack against the helmfile's own rendering, in each imported
// environment. helmfile is asked through a seam (HelmfileProcess: cli/helmfile-process.ts runs the real
// binary, unit tests a fake): `helmfile --environment=ENV list --output json` for the releases and
// `helmfile --environment=ENV template` for the manifests; the stack is rendered by helmcycle's own
// `template` (the `render` seam). Without a helmfile binary nothing is compared and the result says so:
// a check that could not run never passes. The environment names come from the helmfile and are checked
// before they reach helmfile's argv, each as one `--environment=` argument.
import { compareManifests, compareReleases, helmfileReleases, stackReleases, type CheckDifference } from './check-compare.js';
import { shown } from './quote.js';

export interface HelmfileProcess {
  /** The helmfile binary on PATH, or undefined. */
  locate(): Promise<string | undefined>;
  run(binary: string, args: readonly string[], cwd: string): Promise<{ exitCode: number; stdout: string; stderr: string }>;
}

export interface CheckedEnvironment {
  /** The helmfile's environment name (`default` for the stack's base charts). */
  helmfileEnvironment: string;
  /** The stack's environment to render (`--env`), or undefined for the base charts. */
  stackEnvironment: string | undefined;
  /** The stack's charts resolved in that environment. */
  charts: readonly { name: string; definition: Record<string, unknown> }[];
}

export interface CheckSeams {
  helmfile: HelmfileProcess;
  /** helmcycle's `template` of the written stack in an environment (its output masked). */
  render(environment: string | undefined): Promise<{ code: number; stdout: string; stderr: string }>;
  /** The masker of that rendering: helmfile's output is masked the same way before it is compared or shown. */
  mask(text: string): string;
}

export type CheckResult =
  | { status: 'unavailable'; reason: string }
  | { status: 'failed'; reason: string }
  | { status: 'compared'; environments: string[]; differences: CheckDifference[] };

const ENVIRONMENT_NAME = /^\w[\w.-]*$/;
/** How much of a failing command's stderr the result quotes. */
const STDERR_TAIL = 600;
const tail = (text: string) => (text.length > STDERR_TAIL ? `…${text.slice(-STDERR_TAIL)}` : text).trim();

/** helmcycle's `template` output (`# chart: NAME` before each chart) without the charts named in `skip`. */
export function withoutCharts(rendered: string, skip: ReadonlySet<string>): string {
  const parts = rendered.split(/^# chart: (.*)$/m);
  let out = parts[0] ?? '';
  for (let i = 1; i < parts.length; i += 2) if (!skip.has(parts[i]!)) out += `\n---\n${parts[i + 1] ?? ''}`;
  return out;
}

export async function checkImport(helmfile: { file: string; dir: string; helmBinary?: string | undefined }, environments: readonly CheckedEnvironment[], seams: CheckSeams): Promise<CheckResult> {
  const binary = await seams.helmfile.locate();
  if (!binary) return { status: 'unavailable', reason: 'helmfile is not on PATH, so the imported stack was not compared with what helmfile renders' };
  const differences: CheckDifference[] = [];
  for (const env of environments) {
    if (!ENVIRONMENT_NAME.test(env.helmfileEnvironment)) return { status: 'failed', reason: `environment '${shown(env.helmfileEnvironment)}' cannot be passed to helmfile` };
    const rendered = await seams.render(env.stackEnvironment);
    if (rendered.code !== 0) return { status: 'failed', reason: `helmcycle template${env.stackEnvironment ? ` --env ${env.stackEnvironment}` : ''} of the imported stack failed: ${tail(rendered.stderr || rendered.stdout)}` };
    const base = [`--file=${helmfile.file}`, `--environment=${env.helmfileEnvironment}`, ...(helmfile.helmBinary ? [`--helm-binary=${helmfile.helmBinary}`] : [])];
    const listed = await seams.helmfile.run(binary, [...base, 'list', '--output', 'json'], helmfile.dir);
    if (listed.exitCode !== 0) return { status: 'failed', reason: `helmfile list in environment '${env.helmfileEnvironment}' failed: ${seams.mask(tail(listed.stderr))}` };
    const templated = await seams.helmfile.run(binary, [...base, 'template'], helmfile.dir);
    if (templated.exitCode !== 0) return { status: 'failed', reason: `helmfile template in environment '${env.helmfileEnvironment}' failed: ${seams.mask(tail(templated.stderr))}` };
    let theirs;
    try {
      theirs = helmfileReleases(listed.stdout);
    } catch (error) {
      return { status: 'failed', reason: `helmfile list in environment '${env.helmfileEnvironment}' printed no release list: ${shown((error as Error).message)}` };
    }
    differences.push(...compareReleases(env.helmfileEnvironment, theirs, stackReleases(env.charts)));
    const destroyed = new Set(env.charts.filter((c) => c.definition.action === 'destroy').map((c) => c.name));
    differences.push(...compareManifests(env.helmfileEnvironment, seams.mask(templated.stdout), withoutCharts(rendered.stdout, destroyed)));
  }
  return { status: 'compared', environments: environments.map((e) => e.helmfileEnvironment), differences };
}

/** The result as lines for stderr/stdout. */
export function checkLines(result: CheckResult): string[] {
  if (result.status === 'unavailable') return [`check: not done: ${result.reason} (install helmfile, or compare by hand with helmfile template)`];
  if (result.status === 'failed') return [`check: could not compare: ${result.reason}`];
  if (result.differences.length === 0) return [`check: the stack matches helmfile's rendering in ${result.environments.join(', ')} (releases, namespaces, chart versions, manifests)`];
  return [`check: ${result.differences.length} difference(s) from helmfile's rendering:`, ...result.differences.map((d) => `  [${d.environment}] ${d.what}`)];
}
