// helmfile's secrets as helmcycle's: `secrets:` (SOPS files, read by helm-secrets) become
// `secretValuesFiles`, and `ref+...` values (resolved by vals) stay as they are in values, since
// helmcycle resolves the same references at run time (secrets/refs/). A reference in `set`/`setString`
// moves to setSensitive (a set value reaches helm's argv, a resolved secret never may). A scheme
// helmcycle does not resolve itself (vault, awssecrets, gcpsecrets, ...) or a reference inside a longer
// string (vals' `ref+...+` form) is listed with what replaces it. Pure.
import type { HelmfileRelease } from './helmfile-document.js';
import type { NotConverted } from './not-converted.js';
import { shown } from './quote.js';
import { resolveString, type TemplateScope } from './templates.js';

const BUILTIN = new Set(['env', 'file', 'k8s']);
const WHOLE_REF = /^ref\+([a-z][a-z0-9-]*):\/\//;
const EMBEDDED_REF = /ref\+([a-z][a-z0-9-]*):\/\//;

/** Each reference in a values tree that helmcycle cannot resolve by itself, listed; the tree is kept as it is. */
export function noteRefs(value: unknown, field: string, note: (item: NotConverted) => void): void {
  if (typeof value === 'string') {
    const whole = WHOLE_REF.exec(value.trim());
    if (whole && !BUILTIN.has(whole[1]!)) {
      note({ field, what: `the reference ${shown(value, 120)} (resolved by vals)`, instead: `a resolver in a TypeScript stack (resolvers: { '${whole[1]}': async (ref) => ... }); helmcycle resolves ref+env, ref+file and ref+k8s itself` });
    } else if (!whole && EMBEDDED_REF.test(value)) {
      note({ field, what: `a reference inside a longer string (${shown(value, 120)})`, instead: 'a value that is the reference alone (helmcycle resolves whole ref+ values only), or a value built in a TypeScript stack' });
    }
  } else if (Array.isArray(value)) value.forEach((item, index) => noteRefs(item, `${field}[${index}]`, note));
  else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) noteRefs(item, `${field}.${key}`, note);
}

/** Whether a set value is a whole reference (and so belongs in setSensitive). */
export function isWholeRef(value: unknown): value is string {
  return typeof value === 'string' && WHOLE_REF.test(value.trim());
}

/** helmfile's `secrets:` as secretValuesFiles (paths as the output's folder reaches them); what cannot be carried is listed. */
export function secretFilesOf(release: HelmfileRelease, field: string, scope: TemplateScope, path: (p: string) => string, note: (item: NotConverted) => void): string[] {
  const files: string[] = [];
  (release.secrets ?? []).forEach((item, index) => {
    const at = `${field}.secrets[${index}]`;
    if (typeof item !== 'string') {
      note({ field: at, what: 'an inline secrets entry (not a file)', instead: 'secretValues in the chart, or a SOPS file under secretValuesFiles' });
      return;
    }
    const resolved = resolveString(item, scope);
    if (!resolved.ok || typeof resolved.value !== 'string') {
      note({ field: at, what: `the secrets file ${shown(item)} (a Go template)`, instead: 'secretValuesFiles per environment (environments.<env>.charts.<name>.secretValuesFiles)' });
      return;
    }
    if (resolved.value.endsWith('.gotmpl')) {
      note({ field: at, what: `the secrets template ${shown(resolved.value)} (rendered by helmfile)`, instead: 'a plain SOPS file under secretValuesFiles' });
      return;
    }
    files.push(path(resolved.value));
  });
  return files;
}
