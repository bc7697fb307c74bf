// Repository credentials without a password on any argv: helm reads the password from stdin into a
// private, temporary repository (or registry) config, which the chart commands then point at. That file
// cannot be avoided (helm's chart commands take credentials from a config file or an argv, and an argv is
// what `ps` shows), so it lives in a private folder marked with its owner process: removed afterwards,
// and by the next helmcycle run when this one was killed before it could (secrets/private-dir.ts).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createPrivateDir } from '../secrets/private-dir.js';
import { isOciReference, registryLoginArgv, repoAddArgv, tlsArgs, type ChartAccess } from './argv-chart.js';
import type { ChartSource, HelmVersion } from './types.js';

export interface PreparedAccess {
  access: ChartAccess;
  dispose(): Promise<void>;
}

/** Runs helm with argv and stdin; the client's own runner. */
export type HelmRunner = (argv: string[], options: { stdin?: string; secrets?: string[] }) => Promise<{ stdout: string }>;

export function ociHost(reference: string): string {
  return reference.replace(/^oci:\/\//, '').split('/')[0] ?? '';
}

export function repositoryAlias(url: string): string {
  return `helmcycle-${createHash('sha256').update(url).digest('hex').slice(0, 12)}`;
}

export async function prepareChartAccess(run: HelmRunner, version: HelmVersion, source: ChartSource): Promise<PreparedAccess> {
  const auth = source.auth;
  if (!auth) return { access: {}, dispose: async () => {} };
  const { path: dir, dispose } = await createPrivateDir('auth');
  const tls = tlsArgs(auth);
  try {
    if (isOciReference(source.chart)) {
      const registryConfig = join(dir, 'registry.json');
      const insecure = source.plainHttp ? (version.major >= 4 ? ['--plain-http'] : ['--insecure']) : [];
      await run(registryLoginArgv({ host: ociHost(source.chart), username: auth.username, registryConfig, tls, insecure }), { stdin: auth.password, secrets: [auth.password] });
      return { access: { registryConfig }, dispose };
    }
    const url = source.repository ?? '';
    const alias = repositoryAlias(url);
    const access: ChartAccess = {
      repositoryAlias: alias,
      repositoryConfig: join(dir, 'repositories.yaml'),
      repositoryCache: join(dir, 'cache'),
    };
    const flags = [...tls, ...(auth.insecureSkipTlsVerify ? ['--insecure-skip-tls-verify'] : []), ...(auth.passCredentials ? ['--pass-credentials'] : [])];
    await run(repoAddArgv({ alias, url, username: auth.username, access, flags }), { stdin: auth.password, secrets: [auth.password] });
    return { access, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
