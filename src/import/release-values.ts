// A release's `values:` entries that are templates (`values/app.yaml.gotmpl`) rendered as helmfile
// renders them, per environment, with the state's values and the release (`.Release.Name`, `.Namespace`,
// `.Labels`, `.Chart`): the stack gets their result as inline values, since a helmcycle values file is
// plain YAML. And a sub-helmfile's relative paths (local charts, values and secrets files), written from
// its own folder, rebased onto the folder of the helmfile that includes it. Pure but for the files read.
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { parseYamlPart, templateData } from './documents.js';
import { containedPath, readerFor, shownPath } from './files.js';
import { renderTemplate } from './gotmpl/evaluate.js';
import { isMap, RenderFailure } from './gotmpl/values.js';
import type { LoadContext } from './load-state.js';
import { plainData } from './plain-data.js';
import { shown } from './quote.js';

const isTemplateFile = (path: string) => path.endsWith('.gotmpl');
const isRelative = (path: string) => !isAbsolute(path) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(path);

function renderValuesFile(path: string, release: Record<string, unknown>, from: string, field: string, values: Record<string, unknown>, context: LoadContext): unknown {
  const target = containedPath(context.files, context.root, from, field, path);
  const file = shownPath(context.root, target);
  const text = context.files.read(target);
  if (text === undefined) {
    context.note({ field, what: `the values template ${shown(path)} (missing or not readable)`, instead: 'the file, next to the helmfile' });
    return undefined;
  }
  const data = {
    ...templateData({ environment: context.environment, values }),
    Release: { Name: release.name, Namespace: release.namespace ?? '', Labels: isMap(release.labels) ? release.labels : {}, Chart: release.chart },
    Chart: release.chart,
  };
  try {
    const rendered = renderTemplate(text, { data, special: (v) => context.placeholders.token(v, file), readFile: readerFor(context.files, context.root, target) });
    return context.placeholders.revive(plainData(parseYamlPart(rendered, file), field, context.note)) ?? {};
  } catch (error) {
    if (!(error instanceof RenderFailure)) throw error;
    context.note({ field, what: `the values template ${shown(path)} cannot be rendered at ${file}:${error.line}: ${shown(error.reason)}`, instead: 'its values written per environment in the stack (environments.<env>.charts.<name>.values)' });
    return undefined;
  }
}

/** The releases with their `.gotmpl` values rendered into inline values (a release is left as it is when one cannot be). */
export function renderReleaseValues(releases: unknown, origins: readonly string[], from: string, values: Record<string, unknown>, context: LoadContext): unknown {
  if (!Array.isArray(releases)) return releases;
  return releases.map((release, index) => {
    if (!isMap(release) || !Array.isArray(release.values) || !release.values.some((v) => typeof v === 'string' && isTemplateFile(v))) return release;
    const out = release.values.map((entry, i) => (typeof entry === 'string' && isTemplateFile(entry) ? (renderValuesFile(entry, release, from, `${origins[index] ?? `releases[${index}]`}.values[${i}]`, values, context) ?? entry) : entry));
    return { ...release, values: out };
  });
}

/** A path written in `fromDir` as `toDir` reaches it. */
function rebase(path: string, fromDir: string, toDir: string): string {
  if (!isRelative(path)) return path;
  const rel = relative(toDir, resolve(fromDir, path)).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** A sub-helmfile's release with its local paths rebased onto the including helmfile's folder. */
export function rebaseRelease(release: Record<string, unknown>, fromFile: string, toFile: string): Record<string, unknown> {
  const fromDir = dirname(fromFile);
  const toDir = dirname(toFile);
  if (fromDir === toDir) return release;
  const files = (list: unknown) => (Array.isArray(list) ? list.map((item) => (typeof item === 'string' ? rebase(item, fromDir, toDir) : item)) : list);
  const chart = typeof release.chart === 'string' && /^(\.{1,2})(\/|$)/.test(release.chart) ? rebase(release.chart, fromDir, toDir) : release.chart;
  return { ...release, chart, ...(release.values !== undefined ? { values: files(release.values) } : {}), ...(release.secrets !== undefined ? { secrets: files(release.secrets) } : {}) };
}
