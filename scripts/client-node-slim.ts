// An esbuild plugin that keeps @kubernetes/client-node's generated API out of the chunk every command
// loads. Why: its KubeConfig (dist/config.js) imports two names, createConfiguration and
// ServerConfiguration, from the generated client's index (dist/gen/index.js), and that index re-exports
// every API class and model (~2.7 MB). Bundled with code splitting, a module reached from the start-up
// graph lands in the start-up chunk whole, so the lazily imported API clients (src/kube/client-node-apis.ts)
// would be loaded and compiled by every command anyway (~0.13 s of CPU here). The plugin points that one
// import of config.js at the two files that define the two names; every other importer of the index (the
// package's own index, loaded lazily) is left as it is.
import { dirname, join } from 'node:path';
import type { Plugin } from 'esbuild';

const CONFIG_MODULE = /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/;

export function clientNodeSlim(): { plugin: Plugin; applied: () => boolean } {
  let applied = false;
  const plugin: Plugin = {
    name: 'client-node-slim',
    setup(build) {
      build.onResolve({ filter: /^\.\/gen\/index\.js$/ }, (args) => {
        if (!CONFIG_MODULE.test(args.importer)) return undefined;
        applied = true;
        return { path: join(dirname(args.importer), 'gen', 'index.js'), namespace: 'client-node-slim' };
      });
      build.onLoad({ filter: /.*/, namespace: 'client-node-slim' }, (args) => ({
        contents: "export { createConfiguration } from './configuration.js';\nexport { ServerConfiguration } from './servers.js';\n",
        resolveDir: dirname(args.path),
        loader: 'js',
      }));
    },
  };
  return { plugin, applied: () => applied };
}
