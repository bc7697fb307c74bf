// One helmfile read for one environment as helmfile reads it: its `---` parts rendered in order
// (documents.ts), each part's `bases:` loaded and merged before it (bases.ts), its environment values
// (root `values:`, then `environments.<env>.values`, maps and files, `.gotmpl` files rendered) gathered
// as the parts define them so that later parts see them, and its `helmfiles:` read last
// (sub-helmfiles.ts). What comes out is the merged state, with each release's origin, its values
// consumed (they are template inputs: nothing else reads them), import values still in place for
// release-check.ts. A part that cannot be rendered is listed with its file and line.
import { mergeValues } from './convert-environments.js';
import { renderPart, splitDocuments, parseYamlPart, templateData, type RenderScope } from './documents.js';
import { containedPath, readerFor, shownPath, type ImportFiles } from './files.js';
import { renderTemplate } from './gotmpl/evaluate.js';
import { isMap, isSpecial, RenderFailure } from './gotmpl/values.js';
import type { NotConverted } from './not-converted.js';
import { plainData } from './plain-data.js';
import type { Placeholders } from './placeholders.js';
import { shown } from './quote.js';
import { mergeState } from './state-merge.js';
import { renderReleaseValues } from './release-values.js';
import { withSubHelmfiles } from './sub-helmfiles.js';
import { StackConfigError } from '../errors.js';

/** How deep bases and sub-helmfiles may nest (a chain deeper than this is a loop or a mistake). */
export const MAX_NESTING = 16;

export interface LoadContext {
  /** The top helmfile's folder: nothing outside it is read. */
  root: string;
  files: ImportFiles;
  placeholders: Placeholders;
  environment: string;
  note: (item: NotConverted) => void;
  /** Told of each document that could not be rendered: its releases are unknown, not absent. */
  failed?: (where: string) => void;
}

export interface LoadedState {
  state: Record<string, unknown>;
  /** Per release of `state.releases`: where it is written (`apps/helmfile.yaml: releases[0]`). */
  origins: string[];
  /** Root `values:` layers and the environment's layers, in order (a base's come before its user's). */
  layers: { defaults: unknown[]; environment: unknown[] };
  values: Record<string, unknown>;
}

export interface LoadOptions {
  /** Values given by a parent's `helmfiles[].values`, over the file's own. */
  extra?: unknown[];
  /** The files being read, for loops. */
  chain?: readonly string[];
  /** Whether it is the helmfile import was given (its first part's fields are shown without a file). */
  top?: boolean;
}

/** The prefix of a field in a part: '' for the top file's first part. */
export function partPrefix(file: string, part: number, top: boolean): string {
  if (top) return part === 1 ? '' : `(document ${part}) `;
  return part === 1 ? `${file}: ` : `${file} (document ${part}): `;
}

/** A values file named by a helmfile: read inside the folder, rendered when it is a template, parsed. */
function valuesFile(path: string, from: string, field: string, scope: Pick<RenderScope, 'environment' | 'values'>, context: LoadContext): unknown {
  const target = containedPath(context.files, context.root, from, field, path);
  const file = shownPath(context.root, target);
  const text = context.files.read(target);
  if (text === undefined) {
    context.note({ field, what: `the values file ${shown(path)} (missing or not readable)`, instead: 'the file, next to the helmfile (helmfile would fail on it too unless missingFileHandler allows it)' });
    return {};
  }
  let rendered = text;
  if (path.endsWith('.gotmpl') || text.includes('{{')) {
    try {
      rendered = renderTemplate(text, { data: templateData(scope), special: (v) => context.placeholders.token(v, file), readFile: readerFor(context.files, context.root, target) });
    } catch (error) {
      if (!(error instanceof RenderFailure)) throw error;
      context.note({ field, what: `the values template ${shown(path)} cannot be rendered at ${file}:${error.line}: ${shown(error.reason)}`, instead: 'its values written per environment in the stack (environments.<env>.charts.<name>.values)' });
      return {};
    }
  }
  return context.placeholders.revive(plainData(parseYamlPart(rendered, file), field, context.note)) ?? {};
}

/** Layers of a `values:` list (maps as they are, files read). */
function layersOf(list: unknown, from: string, field: string, values: Record<string, unknown>, context: LoadContext): unknown[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new StackConfigError('not a helmfile this import can read', { file: shownPath(context.root, from), issues: [{ field, message: 'expected a list of values maps and files' }] });
  return list.map((item, index) => {
    const at = `${field}[${index}]`;
    if (typeof item === 'string') return valuesFile(item, from, at, { environment: context.environment, values }, context);
    if (isSpecial(item)) {
      context.note({ field: at, what: `a values entry made by a template the import cannot evaluate (${context.placeholders.whereOf(item)})`, instead: 'the values written out' });
      return {};
    }
    return item;
  });
}

/** The values layers a part defines: its root `values:` and its `environments.<env>.values`. */
function partLayers(data: unknown, path: string, where: string, values: Record<string, unknown>, context: LoadContext): LoadedState['layers'] {
  if (!isMap(data)) return { defaults: [], environment: [] };
  const environment = isMap(data.environments) ? data.environments[context.environment] : undefined;
  return {
    defaults: layersOf(data.values, path, `${where}values`, values, context),
    environment: isMap(environment) ? layersOf(environment.values, path, `${where}environments.${context.environment}.values`, values, context) : [],
  };
}

/** Parsed YAML as plain data, what it drops listed under the part's prefix. */
function plainFor(where: string, context: LoadContext): (data: unknown) => unknown {
  return (data) => plainData(data, '', (item) => context.note({ ...item, field: `${where}${item.field}` }));
}

/** A part's `bases:`, each loaded as a helmfile of its own (inside the folder) and handed to `merge`. */
function loadBases(bases: unknown, path: string, where: string, chain: readonly string[], context: LoadContext, merge: (loaded: LoadedState) => void): void {
  const file = shownPath(context.root, path);
  if (!Array.isArray(bases)) throw new StackConfigError('not a helmfile this import can read', { file, issues: [{ field: `${where}bases`, message: 'expected a list of files' }] });
  bases.forEach((base, index) => {
    const field = `${where}bases[${index}]`;
    if (typeof base !== 'string') {
      context.note({ field, what: 'a base that is not a file path', instead: 'the base file, by its path' });
      return;
    }
    const target = containedPath(context.files, context.root, path, field, base);
    if (context.files.read(target) === undefined) {
      context.note({ field, what: `the base ${shown(base)} (missing or not readable)`, instead: 'the file next to the helmfile (helmfile fails on a missing base too)' });
      return;
    }
    merge(loadStateFile(target, context, { chain }));
  });
}

export function loadStateFile(path: string, context: LoadContext, options: LoadOptions = {}): LoadedState {
  const chain = [...(options.chain ?? []), path];
  const file = shownPath(context.root, path);
  if (chain.length > MAX_NESTING || (options.chain ?? []).includes(path)) {
    throw new StackConfigError(`bases or helmfiles nest in a loop or deeper than ${MAX_NESTING}`, { file, issues: [{ field: '(bases/helmfiles)', message: chain.map((p) => shownPath(context.root, p)).join(' → ') }] });
  }
  const text = context.files.read(path);
  if (text === undefined) throw new StackConfigError('cannot read the helmfile', { file, issues: [{ field: '(file)', message: 'no such file, or not readable' }] });
  let state: Record<string, unknown> = {};
  const origins: string[] = [];
  const layers: LoadedState['layers'] = { defaults: [], environment: [] };
  const extra = options.extra ?? [];
  const values = () => mergeValues([...layers.defaults, ...layers.environment, ...extra]);
  const merge = (part: Record<string, unknown>, partOrigins: string[], where: string) => {
    state = mergeState(state, part, where, context.note);
    origins.push(...partOrigins);
  };
  for (const part of splitDocuments(text)) {
    const where = partPrefix(file, part.index, options.top === true);
    const scope = (current: Record<string, unknown>): RenderScope => ({ environment: context.environment, values: current, placeholders: context.placeholders, file, readFile: readerFor(context.files, context.root, path), plain: plainFor(where, context) });
    // helmfile renders a part twice: first to find the environment values it defines, then with them, so
    // that a single document holding environments and releases sees its own values.
    const first = part.text.includes('{{') ? renderPart(part, scope(values())) : undefined;
    const own = partLayers(first?.ok ? first.data : undefined, path, where, values(), context);
    const rendered = first && !first.ok ? renderPart(part, scope(values())) : renderPart(part, scope(mergeValues([values(), ...own.defaults, ...own.environment])));
    if (!rendered.ok) {
      context.failed?.(`${file}:${rendered.line}`);
      context.note({ topic: 'templates', field: `${file}:${rendered.line}`, what: `document ${part.index} cannot be rendered in environment '${context.environment}': ${shown(rendered.reason)}; its releases are not in the output`, instead: 'a plain value per environment in the stack, or render it with helmfile (helmfile -e ENV build) and import the result' });
      continue;
    }
    if (rendered.data === null || rendered.data === undefined) continue;
    if (!isMap(rendered.data)) throw new StackConfigError('not a helmfile: expected a mapping with releases', { file, issues: [{ field: `${where}(document)`, message: 'each part of a helmfile is a mapping' }] });
    const { bases, values: _rootValues, ...rest } = rendered.data;
    if (bases !== undefined) loadBases(bases, path, where, chain, context, (loaded) => {
      layers.defaults.push(...loaded.layers.defaults);
      layers.environment.push(...loaded.layers.environment);
      merge(loaded.state, loaded.origins, where);
    });
    const mine = first?.ok ? own : partLayers(rendered.data, path, where, values(), context);
    layers.defaults.push(...mine.defaults);
    layers.environment.push(...mine.environment);
    const releases = Array.isArray(rest.releases) ? rest.releases : [];
    merge(rest, releases.map((_, index) => `${where}releases[${index}]`), where);
  }
  state = { ...state, releases: renderReleaseValues(state.releases, origins, path, values(), context) };
  return withSubHelmfiles({ state, origins, layers, values: values() }, path, context, chain, loadStateFile);
}
