// Which values of a chart spec are secrets: every setSensitive value and the repository password. The
// masker built from them is what every output path of that chart applies. Pure.
import { combineMaskers, createMasker, type Masker } from './masker.js';

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

/** One masker for many charts (a stack's output can mention any of them). */
export function maskerForSpecs(specs: Iterable<SensitiveFields>): Masker {
  return combineMaskers([...specs].map(maskerForSpec));
}
