// The values a user sets for a chart, every source of them (values objects, values files, inline YAML,
// secret values, the --set family) folded as helm folds them; and the same sources with some paths taken
// out, for the render check (render-check.ts). Values files are read as helm reads them: they are the
// stack's own files, already held inside the stack folder when it was loaded. Pure but for those reads.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { parseSetPath } from '../config/set-path.js';
import { nestSetValues } from '../helm/values-files.js';
import type { ValuesInput } from '../helm/types.js';
import { mergeValues } from '../secrets/refs/merge-values.js';

type Values = Record<string, unknown>;
const isObject = (value: unknown): value is Values => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The sources with every values file and inline YAML read into values objects, in helm's order. */
export async function inlineValues(values: ValuesInput, cwd = process.cwd()): Promise<ValuesInput> {
  const read = async (text: string, where: string): Promise<Values> => {
    try {
      const value = parse(text) as unknown;
      return isObject(value) ? value : {};
    } catch (error) {
      throw new Error(`${where}: not YAML (${(error as Error).message.split('\n')[0]})`);
    }
  };
  const files = await Promise.all(values.valuesFiles.map(async (file) => read(await readFile(resolve(cwd, file), 'utf8'), file)));
  const inline = await Promise.all(values.yamlFilesContent.map((file) => read(file.content, file.name)));
  return { ...values, values: [...values.values, ...files, ...inline], valuesFiles: [], yamlFilesContent: [] };
}

/** Every value the user sets, merged (later wins), as one object. Takes inlineValues' output. */
export function mergedUserValues(values: ValuesInput): Values {
  const layers: Values[] = [
    ...values.values,
    ...(values.secretValues ?? []),
    nestSetValues(values.setSensitive),
    nestSetValues(values.setJson),
    nestSetValues(values.set),
    nestSetValues(values.setString),
  ];
  return layers.reduce<Values>((merged, layer) => mergeValues(merged, { ...layer }), {});
}

const startsWith = (path: readonly (string | number)[], prefix: readonly string[]) => prefix.length <= path.length && prefix.every((s, i) => String(path[i]) === s);

/** A copy of `object` without the value at `path` (nothing when it is not there). */
function deletePath(object: Values, path: readonly string[]): Values {
  const [head, ...rest] = path as [string, ...string[]];
  if (!Object.hasOwn(object, head)) return object;
  const copy = { ...object };
  if (rest.length === 0) delete copy[head];
  else if (isObject(copy[head])) copy[head] = deletePath(copy[head], rest);
  return copy;
}

/** --set family pairs without those under any of the paths; a --set-json value above one loses it inside. */
function pairsWithout<V>(pairs: Record<string, V>, paths: readonly (readonly string[])[]): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [key, value] of Object.entries(pairs)) {
    const at = parseSetPath(key);
    if (paths.some((p) => startsWith(at, p))) continue;
    let kept: unknown = value;
    for (const p of paths) {
      if (startsWith(p, at.map(String)) && isObject(kept)) kept = deletePath(kept, p.slice(at.length));
    }
    out[key] = kept as V;
  }
  return out;
}

/** The sources (inlined) without the values at these paths, wherever they are set. */
export function valuesWithout(values: ValuesInput, paths: readonly (readonly string[])[]): ValuesInput {
  const strip = (object: Values) => paths.reduce(deletePath, object);
  return {
    ...values,
    values: values.values.map(strip),
    ...(values.secretValues ? { secretValues: values.secretValues.map(strip) } : {}),
    setSensitive: pairsWithout(values.setSensitive, paths),
    setJson: pairsWithout(values.setJson, paths),
    set: pairsWithout(values.set, paths),
    setString: pairsWithout(values.setString, paths),
  };
}
