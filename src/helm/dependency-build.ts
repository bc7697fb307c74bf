// `helm dependency build|update` of a local chart against a repository config of its own: helm's
// `dependency build` resolves a URL only through a configured repository (helm/helm#12920), and the
// user's config must not change for it. The config lives in a private folder removed afterwards.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { createPrivateDir } from '../secrets/private-dir.js';
import { dependencyArgv } from './argv.js';
import { repositoryAlias } from './chart-access.js';
import type { DependencyBuildRequest } from './types.js';

export async function buildDependencies(run: (args: string[]) => Promise<unknown>, request: DependencyBuildRequest): Promise<void> {
  const { path: dir, dispose } = await createPrivateDir('depsrepo');
  try {
    const repositoryConfig = join(dir, 'repositories.yaml');
    const repositories = request.repositories.map((url) => ({ name: repositoryAlias(url), url }));
    await writeFile(repositoryConfig, stringifyYaml({ apiVersion: '', repositories }), { mode: 0o600 });
    await run(dependencyArgv(request.chart, request.mode, { repositoryConfig, repositoryCache: join(dir, 'cache') }));
  } finally {
    await dispose();
  }
}
