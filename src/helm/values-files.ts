// Writes the values helm needs as files into a private temporary folder (0700, files 0600) and removes
// them afterwards. Sensitive values go here, never on helm's argv, where `ps` would show them.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { PROTOTYPE_KEYS } from '../config/safe-keys.js';
import type { ValuesInput } from './types.js';

export interface WrittenValues {
  /** Every -f file in order: values objects, valuesFiles, yamlFilesContent, then the sensitive file. */
  files: string[];
  dir: string;
  dispose(): Promise<void>;
}

/**
 * Splits a helm --set style key into path segments: `a.b[0].c` → ['a', 'b', 0, 'c']; `a\.b` is one key.
 */
export function parseSetKey(key: string): (string | number)[] {
  const segments: (string | number)[] = [];
  let current = '';
  for (let i = 0; i < key.length; i++) {
    const ch = key[i];
    if (ch === '\\' && i + 1 < key.length) {
      current += key[++i];
    } else if (ch === '.') {
      if (current) segments.push(current);
      current = '';
    } else if (ch === '[') {
      const end = key.indexOf(']', i);
      const index = Number(key.slice(i + 1, end));
      if (end < 0 || !Number.isInteger(index) || index < 0) throw new Error(`invalid list index in key '${key}'`);
      if (current) segments.push(current);
      current = '';
      segments.push(index);
      i = end;
    } else {
      current += ch;
    }
  }
  if (current) segments.push(current);
  if (segments.length === 0) throw new Error(`empty key '${key}'`);
  // Also refused when the spec is parsed (with the field named); here so that no caller can get past it.
  const bad = segments.find((segment) => typeof segment === 'string' && PROTOTYPE_KEYS.has(segment));
  if (bad !== undefined) throw new Error(`the key '${key}' has the segment '${bad}', which would reach a JavaScript prototype`);
  return segments;
}

/**
 * Builds the nested object that `--set key=value` pairs describe. Pure. The maps have no prototype, so
 * no key, whatever it is, can write into Object.prototype.
 */
export function nestSetValues(pairs: Record<string, unknown>): Record<string, unknown> {
  const root: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(pairs)) {
    const path = parseSetKey(key);
    let node: Record<string | number, unknown> = root;
    path.forEach((segment, index) => {
      if (index === path.length - 1) {
        node[segment] = value;
        return;
      }
      const nextIsIndex = typeof path[index + 1] === 'number';
      const existing = node[segment];
      if (typeof existing !== 'object' || existing === null) node[segment] = nextIsIndex ? [] : Object.create(null);
      node = node[segment] as Record<string | number, unknown>;
    });
  }
  return root;
}

export async function writeValuesFiles(values: ValuesInput, cwd: string = process.cwd()): Promise<WrittenValues> {
  const dir = await mkdtemp(join(tmpdir(), 'helmcycle-values-'));
  const files: string[] = [];
  const write = async (name: string, content: string): Promise<void> => {
    const path = join(dir, name);
    await writeFile(path, content, { mode: 0o600, flag: 'wx' });
    files.push(path);
  };
  try {
    for (const [index, object] of values.values.entries()) await write(`values-${index}.yaml`, stringify(object));
    for (const file of values.valuesFiles) files.push(resolve(cwd, file));
    for (const [index, file] of values.yamlFilesContent.entries()) await write(`inline-${index}-${file.name}.yaml`, file.content);
    if (Object.keys(values.setSensitive).length > 0) await write('sensitive.yaml', stringify(nestSetValues(values.setSensitive)));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { files, dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** The plain-text secrets in a values input, so they can be masked in anything helm prints. */
export function sensitiveStrings(values: Pick<ValuesInput, 'setSensitive'>): string[] {
  return Object.values(values.setSensitive).map(String);
}
