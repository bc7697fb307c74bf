// Which values of a chart spec are secrets: every setSensitive value, the repository password and the
// maskable leaves of secretValues. The
// masker built from them is what every output path of that chart applies. Pure.
import { unmaskableReason } from '../config/sensitive-value.js';
import { createMasker, NO_MASKER, type Masker } from './masker.js';

/** The part of a spec (parsed or as written) that carries secrets. */
export interface SensitiveFields {
  setSensitive?: Readonly<Record<string, unknown>> | undefined;
  repositoryAuth?: { password?: unknown } | undefined;
  /** Secret values objects (decrypted SOPS files, resolved references). */
  secretValues?: unknown;
}

/**
 * The leaves of secret values objects that can be masked. A SOPS file encrypts every value, `true` and
 * `3` too; masking those would blank that text in all output and protect nothing, so such leaves are
 * kept from the masker (they still reach helm only on its standard input).
 */
function maskableLeaves(value: unknown, out: string[]): string[] {
  if (Array.isArray(value)) for (const item of value) maskableLeaves(item, out);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) maskableLeaves(item, out);
  else if ((typeof value === 'string' || typeof value === 'number') && unmaskableReason(value) === undefined) out.push(String(value));
  return out;
}

export function sensitiveValuesOf(spec: SensitiveFields): string[] {
  const values: string[] = [];
  for (const value of Object.values(spec.setSensitive ?? {})) {
    if (value !== undefined && value !== null) values.push(String(value));
  }
  const password = spec.repositoryAuth?.password;
  if (typeof password === 'string' && password) values.push(password);
  maskableLeaves(spec.secretValues, values);
  return values;
}

export function maskerForSpec(spec: SensitiveFields): Masker {
  return createMasker(sensitiveValuesOf(spec));
}

/**
 * One masker for many charts (a stack's output can mention any of them): a single masker over all their
 * values, so that where two values overlap the longer is masked whole, not cut by the shorter one.
 */
export function maskerForSpecs(specs: Iterable<SensitiveFields>): Masker {
  return createMasker([...specs].flatMap(sensitiveValuesOf));
}

/** The masker of one CLI run: it learns the secrets of every stack the run loads (each target's too). */
export interface RunMasker extends Masker {
  /** Adds these charts' secrets: masked in everything the run writes from now on. */
  add(specs: Iterable<SensitiveFields>): void;
}

/**
 * A run's masker, empty until a stack is loaded. One per run, not one per chart: chart `app`'s values
 * file can hold chart `db`'s password, and an error of any command may quote any chart's values.
 */
export function createRunMasker(): RunMasker {
  const values = new Set<string>();
  let current: Masker = NO_MASKER;
  return {
    get empty() {
      return current.empty;
    },
    add(specs) {
      const before = values.size;
      for (const spec of specs) for (const value of sensitiveValuesOf(spec)) values.add(value);
      if (values.size !== before) current = createMasker(values);
    },
    mask: (text) => current.mask(text),
    maskDeep: (value) => current.maskDeep(value),
    reveals: (text) => current.reveals(text),
  };
}
