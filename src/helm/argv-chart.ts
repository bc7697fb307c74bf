// Where a chart comes from, as helm's argv says it: the chart positional, the flags naming its repository,
// version and TLS files, and the logins that put a repository's or registry's credentials into a private
// helm config (chart-access.ts). Every value is a `--flag=value` element or a positional after `--`
// (argv-shape.ts). Pure.
import { command, flagValue } from './argv-shape.js';
import type { ChartSource } from './types.js';

/** How the chart is reached once credentials (if any) are set up in a private helm config. */
export interface ChartAccess {
  /** The alias of a repository added to a private repository config, when the repository needs auth. */
  repositoryAlias?: string;
  repositoryConfig?: string;
  repositoryCache?: string;
  registryConfig?: string;
}

export function isOciReference(chart: string): boolean {
  return chart.startsWith('oci://');
}

/** The chart as helm's positional: through the private repository alias when the repository needs auth. */
export function chartReference(source: ChartSource, access: ChartAccess = {}): string {
  return access.repositoryAlias ? `${access.repositoryAlias}/${source.chart}` : source.chart;
}

/** The flags that say where the chart comes from. */
export function chartSourceFlags(source: ChartSource, access: ChartAccess = {}): string[] {
  const args: string[] = [];
  if (!access.repositoryAlias && source.repository) args.push(flagValue('repo', source.repository));
  if (source.version) args.push(flagValue('version', source.version));
  if (source.plainHttp) args.push('--plain-http');
  args.push(...tlsArgs(source.auth ?? {}));
  if (source.auth?.insecureSkipTlsVerify) args.push('--insecure-skip-tls-verify');
  if (source.auth?.passCredentials) args.push('--pass-credentials');
  args.push(...helmConfigArgs(access));
  return args;
}

/** A repository's or registry's TLS files. */
export function tlsArgs(auth: { caFile?: string | undefined; certFile?: string | undefined; keyFile?: string | undefined }): string[] {
  return [
    ...(auth.caFile ? [flagValue('ca-file', auth.caFile)] : []),
    ...(auth.certFile ? [flagValue('cert-file', auth.certFile)] : []),
    ...(auth.keyFile ? [flagValue('key-file', auth.keyFile)] : []),
  ];
}

export function helmConfigArgs(access: ChartAccess): string[] {
  const args: string[] = [];
  if (access.repositoryConfig) args.push(flagValue('repository-config', access.repositoryConfig));
  if (access.repositoryCache) args.push(flagValue('repository-cache', access.repositoryCache));
  if (access.registryConfig) args.push(flagValue('registry-config', access.registryConfig));
  return args;
}

/** `helm registry login`, the password read from stdin into a private registry config. */
export function registryLoginArgv(input: { host: string; username: string; registryConfig: string; tls: string[]; insecure: string[] }): string[] {
  return command(
    ['registry', 'login'],
    [flagValue('username', input.username), '--password-stdin', flagValue('registry-config', input.registryConfig), ...input.tls, ...input.insecure],
    [input.host],
  );
}

/** `helm repo add`, the password read from stdin into a private repository config. */
export function repoAddArgv(input: { alias: string; url: string; username: string; access: ChartAccess; flags: string[] }): string[] {
  return command(
    ['repo', 'add'],
    [flagValue('username', input.username), '--password-stdin', ...helmConfigArgs(input.access), ...input.flags],
    [input.alias, input.url],
  );
}

