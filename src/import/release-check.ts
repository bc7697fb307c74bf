// A rendered state (load-state.ts) made plain for the converter. An environment variable a template read
// (`env`/`requiredEnv`) becomes a `ref+env://NAME` reference where helmcycle resolves one at run time: a
// whole value inside a release's inline `values`, a `set`/`setString` value (then setSensitive, never on
// argv), a repository's username or password. Anywhere else (a chart, a version, a namespace, a name,
// a condition), and wherever a template gave what the import cannot evaluate, the release is left out
// and listed with the file and line, and so is the other field it sits in: never a guess. The
// environments' values are dropped (they were template inputs, already used). Pure.
import { EnvValue, isMap, isSpecial, type Special } from './gotmpl/values.js';
import type { LoadedState } from './load-state.js';
import type { NotConverted } from './not-converted.js';
import { specialsIn, type Placeholders } from './placeholders.js';
import { shown } from './quote.js';

export interface CheckedState {
  state: Record<string, unknown>;
  origins: string[];
  /** Releases left out, by the name they have when the name itself is known. */
  refused: string[];
}

/** Where in a release an environment reference is resolved at run time. */
const REF_PLACES = [/^\.values\[\d+\]\./, /^\.set(String)?\[\d+\]\.value$/];

const refOf = (value: EnvValue) => `ref+env://${value.name}`;

function describe(value: Special, placeholders: Placeholders): string {
  const where = placeholders.whereOf(value);
  const what = value instanceof EnvValue ? `the environment variable ${value.name} (${value.required ? 'requiredEnv' : 'env'}), which helmcycle reads only as a whole value in values or set` : value.reason;
  return where ? `${what} (${where})` : what;
}

/** `value` with each special at an allowed place replaced by its reference. */
function replaced(data: unknown, at: string, allowed: (field: string) => boolean): unknown {
  if (data instanceof EnvValue && allowed(at)) return refOf(data);
  if (Array.isArray(data)) return data.map((item, index) => replaced(item, `${at}[${index}]`, allowed));
  if (isMap(data)) return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, replaced(v, `${at}.${k}`, allowed)]));
  return data;
}

function checkRelease(release: unknown, origin: string, placeholders: Placeholders, note: (item: NotConverted) => void): { keep: boolean; release: unknown; name?: string } {
  const name = isMap(release) && typeof release.name === 'string' ? release.name : undefined;
  const allowed = (field: string) => REF_PLACES.some((re) => re.test(field));
  const blocking = specialsIn(release, '').filter(({ field, value }) => !(value instanceof EnvValue && allowed(field)));
  if (blocking.length === 0) return { keep: true, release: replaced(release, '', allowed), ...(name ? { name } : {}) };
  for (const { field, value } of blocking) {
    note({
      topic: value instanceof EnvValue ? 'secrets' : 'templates',
      field: `${origin}${field}`,
      what: `${describe(value, placeholders)}; release ${name ? `'${shown(name, 80)}' ` : ''}is not in the output`,
      instead: value instanceof EnvValue ? 'a fixed value per environment in the stack (environments.<env>.charts.<name>), or the value read from the environment in a TypeScript stack (--ts)' : 'a value per environment in the stack, or a function in a TypeScript stack (--ts); helmfile -e ENV build shows what helmfile renders',
    });
  }
  return { keep: false, release, ...(name ? { name } : {}) };
}

/** `data` without the import values in it, each given to `drop` with its field. */
function withoutSpecials(data: unknown, field: string, drop: (field: string, value: Special) => void): unknown {
  if (isSpecial(data)) return drop(field, data), undefined;
  if (Array.isArray(data)) return data.map((item, index) => withoutSpecials(item, `${field}[${index}]`, drop)).filter((item) => item !== undefined);
  if (isMap(data)) return Object.fromEntries(Object.entries(data).flatMap(([k, v]) => {
    const kept = withoutSpecials(v, `${field}.${k}`, drop);
    return kept === undefined ? [] : [[k, kept]];
  }));
  return data;
}

/** A state with its import values resolved or listed; `environment` names the rendering in notes. */
export function checkState(loaded: LoadedState, placeholders: Placeholders, note: (item: NotConverted) => void): CheckedState {
  const state: Record<string, unknown> = {};
  const origins: string[] = [];
  const refused: string[] = [];
  const releases: unknown[] = [];
  (Array.isArray(loaded.state.releases) ? loaded.state.releases : []).forEach((release, index) => {
    const checked = checkRelease(release, loaded.origins[index] ?? `releases[${index}]`, placeholders, note);
    if (checked.keep) releases.push(checked.release), origins.push(loaded.origins[index] ?? `releases[${index}]`);
    else if (checked.name) refused.push(checked.name);
  });
  for (const [key, value] of Object.entries(loaded.state)) {
    if (key === 'releases') continue;
    if (key === 'repositories' && Array.isArray(value)) {
      state[key] = value.flatMap((repo, index) => {
        const blocking = specialsIn(repo, `repositories[${index}]`).filter(({ field, value: v }) => !(v instanceof EnvValue && /\.(username|password)$/.test(field)));
        for (const { field, value: v } of blocking) note({ topic: 'templates', field, what: describe(v, placeholders), instead: 'the repository written out in the stack' });
        return blocking.length ? [] : [replaced(repo, '', (f) => /^\.(username|password)$/.test(f))];
      });
      continue;
    }
    // An environment's values were template inputs, used while rendering; what else it holds is still listed.
    const kept = key === 'environments' && isMap(value) ? Object.fromEntries(Object.entries(value).map(([name, env]) => [name, isMap(env) ? Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'values')) : env])) : value;
    const dropped = withoutSpecials(kept, key, (field, v) => note({ topic: 'templates', field, what: describe(v, placeholders), instead: 'the value written out in the stack' }));
    if (dropped !== undefined) state[key] = dropped;
  }
  state.releases = releases;
  return { state, origins, refused };
}
