// The references helmcycle resolves itself. `ref+env://NAME`: an environment variable (unset is an
// error, not an empty value). `ref+file://path[#/key]`: a file inside the stack's folder (relative to
// the stack file; a path outside it, symlinks resolved, is refused as path-containment.ts refuses
// valuesFiles), whole or, with a fragment, one key of it as YAML/JSON. `ref+k8s://v1/Secret/NS/NAME/KEY`:
// one key of a Secret in the run's cluster (vals' syntax; ConfigMaps too, as `v1/ConfigMap/...`).
import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { isInside } from '../../host/inside-folder.js';
import { atFragment, type RefResolver, type ValueRef } from './value-ref.js';

/** A reference that cannot be resolved: the reason, never a value. */
export class RefError extends Error {}

export interface BuiltinContext {
  env: NodeJS.ProcessEnv;
  /** The stack file's folder: relative `ref+file://` paths start there. */
  baseDir: string;
  /** The real folders a `ref+file://` may read (the stack's root and --allow-path folders). */
  allowedRoots: readonly string[];
  /** Reads one object's `data` (a Secret's base64 values, a ConfigMap's text) from the run's cluster; undefined when absent. */
  readObjectData?: ((kind: 'Secret' | 'ConfigMap', namespace: string, name: string) => Promise<Record<string, string> | undefined>) | undefined;
}

function withFragment(ref: ValueRef, text: string): unknown {
  if (ref.fragment === undefined) return text;
  const value = atFragment(parse(text), ref.fragment);
  if (value === undefined) throw new RefError(`${ref.text}: no value at #${ref.fragment}`);
  return value;
}

export function builtinResolvers(context: BuiltinContext): Record<string, RefResolver> {
  return {
    env: async (ref) => {
      const value = context.env[ref.path];
      if (value === undefined) throw new RefError(`${ref.text}: the environment variable ${ref.path} is not set`);
      return withFragment(ref, value);
    },
    file: async (ref) => {
      if (!ref.path) throw new RefError(`${ref.text}: names no file`);
      const path = isAbsolute(ref.path) ? ref.path : resolve(context.baseDir, ref.path);
      let real: string;
      try {
        real = await realpath(path);
      } catch {
        throw new RefError(`${ref.text}: ${path} does not exist`);
      }
      if (!context.allowedRoots.some((root) => isInside(real, root))) throw new RefError(`${ref.text}: ${path} is outside the stack's folder (the runner may allow a folder with --allow-path)`);
      return withFragment(ref, await readFile(real, 'utf8'));
    },
    k8s: async (ref) => {
      const parts = ref.path.split('/');
      const [apiVersion, kind, namespace, name, key] = parts;
      if (parts.length !== 5 || apiVersion !== 'v1' || (kind !== 'Secret' && kind !== 'ConfigMap') || !namespace || !name || !key) {
        throw new RefError(`${ref.text}: expected ref+k8s://v1/Secret/NAMESPACE/NAME/KEY (or v1/ConfigMap/...)`);
      }
      if (!context.readObjectData) throw new RefError(`${ref.text}: this command does not connect to a cluster`);
      const data = await context.readObjectData(kind, namespace, name);
      if (!data) throw new RefError(`${ref.text}: ${kind} ${namespace}/${name} does not exist (or may not be read)`);
      if (!Object.hasOwn(data, key)) throw new RefError(`${ref.text}: ${kind} ${namespace}/${name} has no key '${key}'`);
      const text = kind === 'Secret' ? Buffer.from(data[key]!, 'base64').toString('utf8') : data[key]!;
      return withFragment(ref, text);
    },
  };
}

/** The real paths of folders, for allowedRoots. */
export async function realFolders(folders: readonly string[]): Promise<string[]> {
  return Promise.all(folders.map((folder) => realpath(folder).catch(() => folder)));
}
