// The package's `require` entry: `require('helmcycle')` from CommonJS, including a helmcycle.config.ts
// in a package without "type": "module", which tsx compiles to CommonJS. It hands back the one ES module
// build through Node's require(esm) (Node 20.19+, 22.12+): CommonJS gets the module `import` gets.
//
// Why not point `require` at index.js directly: tsx compiles every file a config requires (even in
// node_modules) from ESM to CommonJS, and then helmcycle's ESM-only dependencies (execa's unicorn-magic,
// exported for `import` only) fail to resolve. A require made by createRequire here is outside tsx's
// scope, so Node loads index.js as the ES module it is.
import { createRequire } from 'node:module';

export = createRequire(__filename)('./index.js') as typeof import('./index.js');
