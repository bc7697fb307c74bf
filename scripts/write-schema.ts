// Writes the published JSON Schema of helmcycle.yaml from the zod schema (a unit test checks it is current).
import { writeFileSync } from 'node:fs';
import { stackJsonSchema } from '../src/stack/schema.js';

const path = new URL('../schema/helmcycle.schema.json', import.meta.url);
writeFileSync(path, `${JSON.stringify(stackJsonSchema(), null, 2)}\n`);
console.log(`wrote ${path.pathname}`);
