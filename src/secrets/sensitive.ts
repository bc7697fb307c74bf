// Which values of a chart spec are secrets: every setSensitive value and the repository password. The
// masker built from them is what every output path of that chart applies. Pure.
import { createMasker, NO_MASKER, type Masker } from './masker.js';

/** The part of a spec (parsed or as written) that carries secrets. */
export interface SensitiveFields {
  setSensitive?: Readonly<Record<string, unknown>> | undefined;
  repositoryAuth?: { password?: unknown } | undefined;
}

export function sensitiveValuesOf(spec: SensitiveFields): string[] {
  const values: string[] = [];
  for (const value of Object.values(spec.setSensitive ?? {})) {
    if (value !== undefined && value !== null) values.push(String(value));
  }
  const password = spec.repositoryAuth?.password;
  if (typeof password === 'string' && password) values.push(password);
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
