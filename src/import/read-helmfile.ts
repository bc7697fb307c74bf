// A helmfile read in every environment it defines (or the one `--env` names): each rendered as helmfile
// renders it for that environment (load-state.ts), its import values resolved or listed
// (release-check.ts). The environments are the ones the default rendering declares; the result is the
// input of convert.ts, which turns the per-environment states into charts and overrides.
import { basename, dirname, join, resolve } from 'node:path';
import { StackConfigError } from '../errors.js';
import { diskFiles, type ImportFiles } from './files.js';
import { isMap } from './gotmpl/values.js';
import { loadStateFile } from './load-state.js';
import type { NotConverted } from './not-converted.js';
import { Placeholders } from './placeholders.js';
import { checkState } from './release-check.js';
import { shown } from './quote.js';

export interface ReadOptions {
  files?: ImportFiles;
  /** Only this environment (rendered into the charts), instead of every one. */
  environment?: string;
  /** The placeholders' nonce (tests); random otherwise. */
  nonce?: string;
}

export interface ReadHelmfile {
  /** Per environment, the rendered state, plain data. */
  states: Record<string, unknown>;
  /** Per environment, each release's origin. */
  origins: Record<string, string[]>;
  /** Per environment, the releases left out (listed), by name. */
  refused: Record<string, string[]>;
  /** The environments where a document could not be rendered: a release missing there is unknown, not absent. */
  incomplete: Record<string, boolean>;
  /** The environment whose rendering gives the charts. */
  baseEnvironment: string;
  notes: NotConverted[];
}

/** The environment names a state declares. */
const environmentsOf = (state: Record<string, unknown>) => (isMap(state.environments) ? Object.keys(state.environments) : []);

export function readHelmfile(file: string, options: ReadOptions = {}): ReadHelmfile {
  const path = resolve(file);
  const files = options.files ?? diskFiles;
  const root = files.real(dirname(path));
  const top = join(root, basename(path));
  const placeholders = new Placeholders(options.nonce);
  const notes: NotConverted[] = [];
  const note = (item: NotConverted) => void notes.push(item);
  const read = (environment: string, sink = note) => {
    const failures: string[] = [];
    const loaded = loadStateFile(top, { root, files, placeholders, environment, note: sink, failed: (where) => failures.push(where) }, { top: true });
    return { loaded, checked: checkState(loaded, placeholders, sink), incomplete: failures.length > 0 };
  };
  const out: ReadHelmfile = { states: {}, origins: {}, refused: {}, incomplete: {}, baseEnvironment: options.environment ?? 'default', notes };
  const add = (environment: string, { checked, incomplete }: ReturnType<typeof read>) => {
    out.states[environment] = checked.state;
    out.origins[environment] = checked.origins;
    out.refused[environment] = checked.refused;
    if (incomplete) out.incomplete[environment] = true;
  };
  if (options.environment !== undefined) {
    // The default rendering only tells which environments exist: its items are not this import's.
    const first = read('default', options.environment === 'default' ? note : () => {});
    const known = environmentsOf(first.loaded.state);
    if (options.environment !== 'default' && !known.includes(options.environment)) {
      throw new StackConfigError(`has no environment '${shown(options.environment, 80)}'`, { file, issues: [{ field: '--env', message: known.length ? `its environments: ${known.map((n) => shown(n, 40)).join(', ')}` : 'it declares no environments' }] });
    }
    add(options.environment, options.environment === 'default' ? first : read(options.environment));
    return out;
  }
  const first = read('default');
  add('default', first);
  for (const environment of environmentsOf(first.loaded.state)) {
    if (environment === 'default') continue;
    add(environment, read(environment));
  }
  return out;
}
