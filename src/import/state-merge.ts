// How helmfile joins the parts of a state (its `---` documents, its bases, its sub-helmfiles' releases):
// `releases` and `helmfiles` lists are concatenated in order, `repositories` are merged by name (a later
// one of the same name replaces the earlier, and a different URL under one name is listed), maps such
// as `environments`, `helmDefaults` and `commonLabels` are merged key by key, each environment's
// `values` list is concatenated, and any other value of a later part replaces the earlier one. Pure.
import { isDeepStrictEqual } from 'node:util';
import { isMap } from './gotmpl/values.js';
import type { NotConverted } from './not-converted.js';
import { shown } from './quote.js';

const CONCATENATED = new Set(['releases', 'helmfiles']);

function deepMerge(a: unknown, b: unknown): unknown {
  if (isMap(a) && isMap(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = Object.hasOwn(out, k) ? deepMerge(out[k], v) : v;
    return out;
  }
  return b;
}

function mergeEnvironments(a: unknown, b: unknown): unknown {
  if (!isMap(a) || !isMap(b)) return b ?? a;
  const out: Record<string, unknown> = { ...a };
  for (const [name, env] of Object.entries(b)) {
    const before = out[name];
    if (isMap(before) && isMap(env)) {
      const values = [...(Array.isArray(before.values) ? before.values : []), ...(Array.isArray(env.values) ? env.values : [])];
      out[name] = { ...deepMerge(before, env) as Record<string, unknown>, ...(values.length ? { values } : {}) };
    } else out[name] = env ?? before ?? null;
  }
  return out;
}

/** Repositories merged by name; `where` names the part for a conflict's note. */
export function mergeRepositories(a: unknown, b: unknown, where: string, note: (item: NotConverted) => void): unknown[] {
  const out = Array.isArray(a) ? [...a] : [];
  for (const repo of Array.isArray(b) ? b : []) {
    const name = isMap(repo) ? repo.name : undefined;
    const index = out.findIndex((r) => isMap(r) && name !== undefined && r.name === name);
    if (index < 0) {
      out.push(repo);
      continue;
    }
    const before = out[index] as Record<string, unknown>;
    if (isMap(repo) && !isDeepStrictEqual(before.url, repo.url)) {
      note({ field: `${where}repositories[${shown(String(name), 80)}]`, what: `a second repository '${shown(String(name), 80)}' with another URL (${shown(String(repo.url), 120)})`, instead: 'one URL per repository name: the later one is used, check the charts that name it' });
    }
    out[index] = repo;
  }
  return out;
}

/** `part` merged into `state` (a new object); the parts keep their order. */
export function mergeState(state: Record<string, unknown>, part: Record<string, unknown>, where: string, note: (item: NotConverted) => void): Record<string, unknown> {
  const out: Record<string, unknown> = { ...state };
  for (const [key, value] of Object.entries(part)) {
    if (CONCATENATED.has(key)) out[key] = Array.isArray(value) ? [...(Array.isArray(out[key]) ? (out[key] as unknown[]) : []), ...value] : value;
    else if (key === 'repositories') out[key] = mergeRepositories(out[key], value, where, note);
    else if (key === 'environments') out[key] = Object.hasOwn(out, key) ? mergeEnvironments(out[key], value) : value;
    else out[key] = Object.hasOwn(out, key) ? deepMerge(out[key], value) : value;
  }
  return out;
}
