// The fingerprints a saved plan keeps of what it was decided on: per chart, its resolved definition (the
// phases of a TypeScript stack as their source text), its values with the files read, a local chart's
// files and the chart version plan resolved; for the whole selection, the stack's settings and each
// chart's needs and fingerprint. apply computes them again and compares (plan-file.ts).
//
// Sensitive values are part of what is compared (a changed password is a changed config), but never of
// what is written: the fingerprint of a chart with sensitive values is scrypt, keyed with the plan's
// random salt, so the file cannot be used to test guesses at a password cheaply. Other fingerprints are
// HMAC-SHA256 with the same salt.
import { createHmac, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { canonicalJson, computeReleaseDigest } from '../lifecycle/digest.js';
import { transformFingerprint } from '../lifecycle/transform.js';
import { sensitiveValuesOf } from '../secrets/sensitive.js';
import { chartSpecOf, runDefinitionOf } from './chart-spec-of.js';
import type { StackCommand } from './events.js';
import type { ResolvedChart, ResolvedStack } from './types.js';

/** About 16 MiB and some tens of milliseconds per chart that has sensitive values. */
const SCRYPT: ScryptOptions = { N: 2 ** 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export function newSalt(): string {
  return randomBytes(16).toString('hex');
}

/** A copy of a definition with every function replaced by its source text (editing a phase is a change). Pure. */
export function withFunctionSources(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'function') return `function: ${value.toString()}`;
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => withFunctionSources(item, seen));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withFunctionSources(v, seen)]));
}

function keyedHash(text: string, salt: string, slow: boolean): Promise<string> {
  const key = Buffer.from(salt, 'hex');
  if (!slow) return Promise.resolve(createHmac('sha256', key).update(text).digest('hex'));
  return new Promise((resolve, reject) => scrypt(text, key, 32, SCRYPT, (error, derived) => (error ? reject(error) : resolve(derived.toString('hex')))));
}

/** The run's settings (folded by runSettingsOf, as the run folds them) and the plan's salt. */
export interface InputsContext {
  command: Extract<StackCommand, 'apply' | 'destroy'>;
  forceUpgrade: boolean;
  ignoreDrift: boolean;
  salt: string;
}

/** One chart's fingerprint, for the chart version plan resolved (undefined on destroy). */
export async function chartInputs(chart: ResolvedChart, targetVersion: string | undefined, context: InputsContext): Promise<string> {
  const definition = runDefinitionOf(chart, context);
  // The release digest reads the values files and a local chart's files, as apply's skip-unchanged does.
  // Its sensitive values are left out of it: they are in `definition`, and the whole text is scrypt-ed.
  const release = await computeReleaseDigest(chartSpecOf(definition, chart.file), targetVersion ?? '', undefined, transformFingerprint(definition.transform), 'omitted');
  const text = canonicalJson({ release, targetVersion, needs: chart.needs, definition: withFunctionSources(definition) });
  const secretValues = [definition.secretValues ?? []].flat().some((object) => Object.keys(object).length > 0);
  return keyedHash(text, context.salt, sensitiveValuesOf(definition).length > 0 || secretValues);
}

/**
 * The stack file's bytes, keyed: apply holds the file it loads to the one plan read. Slow when the stack
 * has sensitive values (a YAML stack may hold them literally).
 */
export async function stackFileDigest(file: string, salt: string, slow: boolean): Promise<string> {
  return keyedHash((await readFile(file)).toString('base64'), salt, slow);
}

/** The selection's fingerprint, over the per-chart ones (which hold no value): stack settings, order, needs. */
export function configDigest(stack: Pick<ResolvedStack, 'name' | 'environment' | 'concurrency'>, charts: readonly { chart: ResolvedChart; inputs: string }[], context: InputsContext & { selectors: readonly string[]; only: readonly string[] }): Promise<string> {
  const text = canonicalJson({
    stack: stack.name,
    environment: stack.environment,
    concurrency: stack.concurrency,
    command: context.command,
    forceUpgrade: context.forceUpgrade,
    ignoreDrift: context.ignoreDrift,
    selectors: context.selectors,
    only: context.only,
    charts: charts.map(({ chart, inputs }) => ({ name: chart.name, needs: chart.needs, inputs })),
  });
  return keyedHash(text, context.salt, false);
}
