// The values helm is given on its argv: the values files in order, then the --set family. Keys are read by
// the one set-path parser (config/set-path.ts) and written back escaped; values are escaped for helm's
// --set parser; each pair is one `--flag=key=value` element (argv-shape.ts). Pure.
import { formatSetPath, parseSetPath } from '../config/set-path.js';
import { flagValue } from './argv-shape.js';
import type { ValuesInput } from './types.js';

/** Paths of the values files to pass with -f, in order: values, files, inline YAML, sensitive. */
export type ValuesFilePaths = readonly string[];

/** Helm's --set parser splits on commas and treats backslashes as escapes. */
export function escapeSetValue(value: string): string {
  return value.replace(/[\\,]/g, (ch) => `\\${ch}`);
}

/**
 * A --set key as helm will read it: parsed by the one set-path parser (the load-time check's), written
 * back with every separator inside a key escaped, so a `,` or `=` in a key cannot start another
 * assignment. Throws for a key the parser refuses (a prototype segment, a bad index).
 */
function setKey(key: string): string {
  return formatSetPath(parseSetPath(key));
}

/** -f for every values file, then the inline --set family in helm's own precedence order. */
export function valuesArgs(values: ValuesInput, files: ValuesFilePaths): string[] {
  const args: string[] = [];
  for (const file of files) args.push(flagValue('values', file));
  for (const [key, value] of Object.entries(values.setJson)) args.push(flagValue('set-json', `${setKey(key)}=${JSON.stringify(value)}`));
  for (const [key, value] of Object.entries(values.set)) args.push(flagValue('set', `${setKey(key)}=${escapeSetValue(String(value))}`));
  for (const [key, value] of Object.entries(values.setString)) args.push(flagValue('set-string', `${setKey(key)}=${escapeSetValue(value)}`));
  return args;
}
