// After tsc: replaces dist/kube/client-node.js (a re-export of @kubernetes/client-node) with one bundle
// of the package, so a command loads one file instead of about 800 modules (see src/kube/client-node.ts).
// The bundle has no source map: it would point into node_modules, which a package does not ship.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const out = new URL('../dist/kube/client-node.js', import.meta.url).pathname;
rmSync(`${out}.map`, { force: true });
await build({
  entryPoints: [new URL('../src/kube/client-node.ts', import.meta.url).pathname],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'eof',
  // Smaller and quicker to parse; names are kept (the package's serializer may read them).
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  logLevel: 'warning',
  // The package's CommonJS dependencies call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as helmcycleCreateRequire } from 'node:module'; const require = helmcycleCreateRequire(import.meta.url);" },
});
