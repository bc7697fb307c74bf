// Hands helm its values. Sensitive values never touch the disk: helm reads them as YAML from its
// standard input (`--values -`, which Helm 3.17 and Helm 4.1 both read with io.ReadAll(os.Stdin)), at
// their place in the order of values files. The other values objects and inline YAML are written into a
// private temporary folder (0700, files 0600, see secrets/private-dir.ts) and removed afterwards.
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { parseSetPath } from '../config/set-path.js';
import { createPrivateDir, type PrivateDir } from '../secrets/private-dir.js';
import { sensitiveValuesOf } from '../secrets/sensitive.js';
import { mergeValues } from '../secrets/refs/merge-values.js';
import type { ValuesInput } from './types.js';

/** The file name that makes helm read a values file from its standard input. */
export const STDIN_VALUES = '-';

export interface WrittenValues {
  /** Every -f file in order: values objects, valuesFiles, yamlFilesContent, then `-` for the sensitive values. */
  files: string[];
  /** What helm must read from its standard input (the sensitive values as YAML), if anything. */
  stdin: string | undefined;
  /** The private folder of the written files; undefined when nothing had to be written. */
  dir: string | undefined;
  dispose(): Promise<void>;
}

/**
 * Splits a helm --set style key into path segments: `a.b[0].c` → ['a', 'b', 0, 'c']; `a\.b` is one key.
 * The same parser the stack's load-time check uses (config/set-path.ts), so nothing it refuses gets here.
 */
export const parseSetKey = parseSetPath;

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
  const toWrite = [
    ...values.values.map((object, index) => ({ name: `values-${index}.yaml`, content: stringify(object) })),
    ...values.yamlFilesContent.map((file, index) => ({ name: `inline-${index}-${file.name}.yaml`, content: file.content })),
  ];
  const dir: PrivateDir | undefined = toWrite.length > 0 ? await createPrivateDir('values') : undefined;
  const write = async (name: string): Promise<string> => {
    const path = join(dir!.path, name);
    await writeFile(path, toWrite.find((f) => f.name === name)!.content, { mode: 0o600, flag: 'wx' });
    return path;
  };
  const files: string[] = [];
  try {
    for (const [index] of values.values.entries()) files.push(await write(`values-${index}.yaml`));
    for (const file of values.valuesFiles) files.push(resolve(cwd, file));
    for (const [index, file] of values.yamlFilesContent.entries()) files.push(await write(`inline-${index}-${file.name}.yaml`));
  } catch (error) {
    await dir?.dispose();
    throw error;
  }
  // One YAML document on stdin: the secret values objects merged in order, then setSensitive over them.
  const secretLayers = (values.secretValues ?? []).filter((object) => Object.keys(object).length > 0);
  const hasSensitive = secretLayers.length > 0 || Object.keys(values.setSensitive).length > 0;
  const sensitive = hasSensitive ? stringify([...secretLayers, { ...nestSetValues(values.setSensitive) }].reduce(mergeValues, {})) : undefined;
  if (sensitive !== undefined) files.push(STDIN_VALUES);
  return { files, stdin: sensitive, dir: dir?.path, dispose: async () => dir?.dispose() };
}

/** The plain-text secrets in a values input, so they can be masked in anything helm prints. */
export function sensitiveStrings(values: Pick<ValuesInput, 'setSensitive' | 'secretValues'>): string[] {
  return sensitiveValuesOf(values);
}
